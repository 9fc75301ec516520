-- The service may run as a role that owns none of the tables (DATABASE_OWNER_URL owns them), and
-- ANALYZE is the owner's: the service refreshes the planner's statistics through this function, which
-- runs as its owner, on the tables beside it.
CREATE FUNCTION analyse_table(name text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  EXECUTE format('ANALYZE %I', name);
END;
$$;
REVOKE EXECUTE ON FUNCTION analyse_table(text) FROM PUBLIC;
