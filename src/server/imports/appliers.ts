import type { ObjectName } from "../../core";
import { applyCustomers } from "./objects/customers";
import { applyDeals } from "./objects/deals";
import { applyLeads } from "./objects/leads";
import { applyPartners } from "./objects/partners";
import { applyRewards } from "./objects/rewards";
import { applyTransactions } from "./objects/transactions";
import type { Applier } from "./types";

export const APPLIERS: Record<ObjectName, Applier> = {
  partners: applyPartners,
  customers: applyCustomers,
  transactions: applyTransactions,
  rewards: applyRewards,
  leads: applyLeads,
  deals: applyDeals,
};
