-- analyse_table with a column list: an import's growth changes what the planner must know of one
-- column, program_id, and sampling a table for one column costs a quarter to a half of sampling it for
-- all of them. Without columns (NULL), the whole table, as before; analyse_table(name) is now that.
CREATE FUNCTION analyse_table(name text, columns text[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('analyse_table'), to_regclass(name)::oid::int) THEN
    RETURN;
  END IF;
  PERFORM set_config('lock_timeout', '10ms', true);
  BEGIN
    IF columns IS NULL THEN
      EXECUTE format('ANALYZE %I', name);
    ELSE
      EXECUTE format('ANALYZE %I (%s)', name, (SELECT string_agg(format('%I', c), ', ') FROM unnest(columns) AS c));
    END IF;
  EXCEPTION WHEN lock_not_available THEN
    NULL;
  END;
END;
$$;
REVOKE EXECUTE ON FUNCTION analyse_table(text, text[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION analyse_table(name text) RETURNS void LANGUAGE sql SECURITY DEFINER
  SET search_path FROM CURRENT AS $$
  SELECT analyse_table(name, NULL::text[]);
$$;
