import type { ObjectName } from "../../core";
import { applyCustomers, customersStoredAs } from "./objects/customers";
import { applyDeals, dealsStoredAs } from "./objects/deals";
import { applyLeads, leadsStoredAs } from "./objects/leads";
import { applyPartners, partnersStoredAs } from "./objects/partners";
import { applyRewards } from "./objects/rewards";
import { applyTransactions } from "./objects/transactions";
import type { Applier, StoredAs } from "./types";

export const APPLIERS: Record<ObjectName, Applier> = {
  partners: applyPartners,
  customers: applyCustomers,
  transactions: applyTransactions,
  rewards: applyRewards,
  leads: applyLeads,
  deals: applyDeals,
};

/** The objects whose rows may update a record, and how their records read as fields. */
export const STORED_AS: Partial<Record<ObjectName, StoredAs>> = {
  partners: partnersStoredAs,
  customers: customersStoredAs,
  leads: leadsStoredAs,
  deals: dealsStoredAs,
};
