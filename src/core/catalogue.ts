import type { FieldDef } from "./fields";

/** The objects the importer takes, in the order a person meets them. */
export const OBJECTS = ["partners", "customers", "transactions", "rewards", "leads", "deals"] as const;
export type ObjectName = (typeof OBJECTS)[number];

export const OBJECT_LABELS: Record<ObjectName, string> = {
  partners: "Partners",
  customers: "Customers",
  transactions: "Transactions",
  rewards: "Rewards",
  leads: "Leads",
  deals: "Deals",
};

/** Objects a person may ask for that the importer cannot take. */
export const NOT_IMPORTABLE = ["Partner Teams", "Actions"] as const;

export interface BaseObject {
  readonly object: ObjectName;
  /** Leads and deals are imported into one group, chosen for the whole import. */
  readonly needsGroup?: "leads" | "deals";
  /** Transactions take `metadata.<key>` columns. */
  readonly metadata?: boolean;
  readonly fields: readonly FieldDef[];
  /** Headers people write for a field, beyond its name ("did you mean"). */
  readonly aliases: Readonly<Record<string, string>>;
  /** Objects an import creates without a key of their own: what makes a row a repeat of an earlier one. */
  readonly repeats?: Repeats;
}

/**
 * What defines a record that has no key of its own: its fingerprint is made of these values (the partner
 * or customer as the row resolves to it), and a row whose fingerprint matches a record an earlier import
 * created is skipped as `already_imported`, unless the import allows repeats.
 */
export interface Repeats {
  readonly fields: readonly string[];
  /** Rows that give this field are known by it instead (a key), so their fingerprint is not checked. */
  readonly keyedBy: string;
  readonly description: string;
}

const partners: BaseObject = {
  object: "partners",
  fields: [
    {
      name: "partner_email",
      type: "email",
      oneOf: "partner",
      unique: true,
      example: "dr.jones@example.com",
      description: "The partner's primary email; matches an existing partner, and is needed to create one.",
    },
    {
      name: "partner_key",
      type: "key",
      oneOf: "partner",
      unique: true,
      asText: true,
      example: "PartnerBryn",
      description: "The partner's key; matched first when updating a partner.",
    },
    { name: "first_name", type: "text", example: "Bryn", description: "The partner's first name." },
    { name: "last_name", type: "text", example: "Jones", description: "The partner's last name." },
    {
      name: "partner_joined_date",
      type: "date",
      example: "2020-12-25",
      description: "When the partner joined the program.",
    },
    {
      name: "group_key",
      type: "key",
      asText: true,
      example: "default",
      description: "The key of the partner's group.",
    },
    {
      name: "tier_key",
      type: "key",
      asText: true,
      example: "gold",
      description: "The key of the partner's tier.",
    },
    {
      name: "tags",
      type: "tags",
      example: "tag1, tag2, tag3",
      description: "Tags to add to the partner, comma-separated; existing tags are kept.",
    },
    {
      name: "shipping_address_line1",
      type: "text",
      example: "123 Spadina Ave",
      description: "Shipping address, first line.",
    },
    {
      name: "shipping_address_line2",
      type: "text",
      example: "Unit 12",
      description: "Shipping address, second line.",
    },
    {
      name: "shipping_address_city",
      type: "text",
      example: "Toronto",
      description: "Shipping address, city.",
    },
    {
      name: "shipping_address_state",
      type: "text",
      example: "Ontario",
      description: "Shipping address, state or province.",
    },
    {
      name: "shipping_address_postal",
      type: "text",
      asText: true,
      example: "M5V 2T6",
      description: "Shipping address, postal or ZIP code.",
    },
    {
      name: "shipping_address_country",
      type: "text",
      example: "CA",
      description: "Shipping address, country.",
    },
  ],
  aliases: {
    email: "partner_email",
    email_address: "partner_email",
    key: "partner_key",
    partner: "partner_key",
    firstname: "first_name",
    lastname: "last_name",
    joined: "partner_joined_date",
    joined_date: "partner_joined_date",
    join_date: "partner_joined_date",
    group: "group_key",
    tier: "tier_key",
    tag: "tags",
    address: "shipping_address_line1",
    address_line1: "shipping_address_line1",
    address1: "shipping_address_line1",
    address_line2: "shipping_address_line2",
    address2: "shipping_address_line2",
    city: "shipping_address_city",
    state: "shipping_address_state",
    province: "shipping_address_state",
    postal: "shipping_address_postal",
    postal_code: "shipping_address_postal",
    zip: "shipping_address_postal",
    zip_code: "shipping_address_postal",
    postcode: "shipping_address_postal",
    country: "shipping_address_country",
  },
};

const customers: BaseObject = {
  object: "customers",
  fields: [
    {
      name: "email",
      type: "email",
      required: true,
      unique: true,
      example: "marlie@example.com",
      description: "The customer's email; matches an existing customer when there is no customer_key.",
    },
    {
      name: "customer_key",
      type: "key",
      asText: true,
      unique: true,
      example: "cus_1042",
      description: "The customer's key; matched first when updating a customer.",
    },
    {
      name: "partner_key",
      type: "key",
      asText: true,
      example: "PartnerBryn",
      description: "The key of the partner the customer belongs to; the partner must exist.",
    },
    { name: "name", type: "text", example: "Marlie the Dog", description: "The customer's name." },
    { name: "created_at", type: "date", example: "2020-12-25", description: "When the customer signed up." },
    { name: "company_name", type: "text", example: "Marlie Co", description: "The customer's company." },
    { name: "state", type: "text", example: "New York", description: "The customer's state or province." },
    { name: "unit", type: "text", example: "Unit 12", description: "The customer's unit." },
    {
      name: "postal",
      type: "text",
      asText: true,
      example: "02134",
      description: "The customer's postal or ZIP code.",
    },
  ],
  aliases: {
    customer_email: "email",
    email_address: "email",
    key: "customer_key",
    customer: "customer_key",
    customer_id: "customer_key",
    partner: "partner_key",
    customer_name: "name",
    company: "company_name",
    created: "created_at",
    date: "created_at",
    postal_code: "postal",
    zip: "postal",
    zip_code: "postal",
    postcode: "postal",
  },
};

const transactions: BaseObject = {
  object: "transactions",
  metadata: true,
  fields: [
    {
      name: "customer_key",
      type: "key",
      asText: true,
      oneOf: "customer",
      example: "cus_1042",
      description: "The key of the customer who paid; the customer must already exist.",
    },
    {
      name: "customer_email",
      type: "email",
      oneOf: "customer",
      example: "marlie@example.com",
      description: "The email of the customer who paid, when there is no customer_key.",
    },
    {
      name: "amount",
      type: "cents",
      required: true,
      example: "40000",
      description: "The amount in cents, a whole number; negative for a refund.",
    },
    {
      name: "currency",
      type: "currency",
      example: "USD",
      description: "ISO 4217 currency code; the program's currency when blank.",
    },
    {
      name: "key",
      type: "key",
      asText: true,
      unique: true,
      minLength: 4,
      maxLength: 255,
      example: "txn_2020_0001",
      description:
        "The transaction's unique key (4 to 255 characters); a key that exists already is skipped.",
    },
    {
      name: "created_at",
      type: "date",
      example: "2020-12-25",
      description: "When the transaction happened.",
    },
    {
      name: "category_key",
      type: "key",
      asText: true,
      example: "subscriptions",
      description: "The category's key.",
    },
    {
      name: "product_key",
      type: "key",
      asText: true,
      example: "pro_plan",
      description: "The product's key.",
    },
  ],
  aliases: {
    email: "customer_email",
    customer: "customer_key",
    customer_id: "customer_key",
    transaction_key: "key",
    transaction_id: "key",
    id: "key",
    amount_in_cents: "amount",
    cents: "amount",
    date: "created_at",
    created: "created_at",
    product: "product_key",
    category: "category_key",
  },
  repeats: {
    fields: ["customer", "amount", "currency", "created_at", "category_key", "product_key", "metadata"],
    keyedBy: "key",
    description:
      "A transaction without a key is a repeat of one an earlier import created for the same customer with the same amount, currency (the program's when blank), created_at, category_key, product_key and metadata.",
  },
};

const rewards: BaseObject = {
  object: "rewards",
  fields: [
    {
      name: "partner_email",
      type: "email",
      oneOf: "partner",
      exclusive: true,
      inTemplate: false,
      example: "dr.jones@example.com",
      description: "The email of the partner to reward; this or partner_key, not both.",
    },
    {
      name: "partner_key",
      type: "key",
      asText: true,
      oneOf: "partner",
      exclusive: true,
      example: "PartnerBryn",
      description: "The key of the partner to reward; this or partner_email, not both.",
    },
    {
      name: "amount_in_cents",
      type: "cents",
      oneOf: "amount",
      exclusive: true,
      example: "1000",
      description: "The reward in cents; this or amount_in_dollars, not both.",
    },
    {
      name: "amount_in_dollars",
      type: "dollars",
      oneOf: "amount",
      exclusive: true,
      inTemplate: false,
      example: "10.00",
      description: "The reward in dollars, at most 2 decimals; this or amount_in_cents, not both.",
    },
    {
      name: "body",
      type: "text",
      required: true,
      maxLength: 1000,
      example: "Bonus reward for going above and beyond this month",
      description: "A description of the reward; partners see it.",
    },
    {
      name: "target_type",
      type: "choice",
      options: ["customer", "transaction"],
      example: "customer",
      description: "What the reward is for: customer, transaction, or blank.",
    },
    {
      name: "target_key",
      type: "key",
      asText: true,
      example: "cus_1042",
      description: "The key of the customer or transaction; required when target_type is set.",
    },
    {
      name: "created_at",
      type: "timestamp",
      example: "2021-11-05",
      description: "When the reward was created: epoch milliseconds or YYYY-MM-DD.",
    },
    {
      name: "currency",
      type: "currency",
      example: "CAD",
      description: "The currency of the amount; converted to USD with the program's rates.",
    },
    {
      name: "status",
      type: "choice",
      options: ["pending", "declined", "hold", "approved", "paid"],
      example: "pending",
      description: "pending (the default), declined, hold, approved or paid.",
    },
    {
      name: "decline_reason",
      type: "text",
      example: "Duplicate marked by accident",
      description: "Why the reward was declined; partners see it.",
    },
    {
      name: "is_external",
      type: "boolean",
      example: "true",
      description: "true when the reward was generated outside the program.",
    },
    {
      name: "key",
      type: "key",
      asText: true,
      unique: true,
      minLength: 4,
      maxLength: 255,
      example: "rwd_2021_0001",
      description:
        "The reward's unique key (4 to 255 characters); a key that exists already is skipped, so the reward is paid once.",
    },
  ],
  aliases: {
    email: "partner_email",
    partner: "partner_key",
    amount: "amount_in_cents",
    cents: "amount_in_cents",
    amount_cents: "amount_in_cents",
    dollars: "amount_in_dollars",
    amount_dollars: "amount_in_dollars",
    description: "body",
    reward: "body",
    reason: "decline_reason",
    external: "is_external",
    date: "created_at",
    created: "created_at",
    reward_key: "key",
    reward_id: "key",
  },
  repeats: {
    fields: ["partner", "amount", "currency", "body", "target_type", "target_key", "created_at"],
    keyedBy: "key",
    description:
      "A reward without a key is a repeat of one an earlier import created for the same partner (by key or email) with the same amount and currency as given (the program's when blank), body, target and created_at.",
  },
};

const leads: BaseObject = {
  object: "leads",
  needsGroup: "leads",
  fields: [
    {
      name: "partner_key",
      type: "key",
      asText: true,
      required: true,
      example: "PartnerBryn",
      description: "The key of the partner the lead is assigned to.",
    },
    {
      name: "email",
      type: "email",
      required: true,
      example: "joe@example.com",
      description: "The lead's email.",
    },
    {
      name: "first_name",
      type: "text",
      required: true,
      example: "Joe",
      description: "The lead's first name.",
    },
    {
      name: "last_name",
      type: "text",
      required: true,
      example: "Kirby",
      description: "The lead's last name.",
    },
    {
      name: "status",
      type: "choice",
      options: ["open", "closed", "dead", "closed won", "closed lost"],
      caseSensitive: true,
      example: "open",
      description: "open (the default), closed, dead, closed won or closed lost; lower case.",
    },
    {
      name: "external_key",
      type: "key",
      asText: true,
      unique: true,
      example: "lead_12345",
      description: "Your key for the lead; a lead with this key is updated.",
    },
  ],
  aliases: {
    partner: "partner_key",
    email_address: "email",
    lead_email: "email",
    firstname: "first_name",
    lastname: "last_name",
    lead_status: "status",
    key: "external_key",
    lead_key: "external_key",
  },
  repeats: {
    fields: ["group", "partner", "email"],
    keyedBy: "external_key",
    description:
      "A lead without an external_key is a repeat of one an earlier import created in the same group for the same partner and email (in any case).",
  },
};

const deals: BaseObject = {
  object: "deals",
  needsGroup: "deals",
  fields: [
    {
      name: "amount",
      type: "cents",
      required: true,
      example: "10000",
      description: "The deal's amount in cents, a whole number.",
    },
    {
      name: "close_date",
      type: "date",
      required: true,
      example: "2020-12-25",
      description: "The expected close date.",
    },
    {
      name: "external_key",
      type: "key",
      asText: true,
      required: true,
      unique: true,
      example: "deal_12345",
      description: "Your unique key for the deal; a deal with this key is updated.",
    },
    {
      name: "stage",
      type: "choice",
      required: true,
      example: "Working",
      description: "The deal's stage, one of the group's stages.",
    },
    {
      name: "partner_key",
      type: "key",
      asText: true,
      example: "PartnerBryn",
      description: "The key of the partner the deal is assigned to.",
    },
    { name: "account_name", type: "text", example: "Kirby Company", description: "The deal's account name." },
    { name: "contact_first_name", type: "text", example: "Joe", description: "The contact's first name." },
    { name: "contact_last_name", type: "text", example: "Kirby", description: "The contact's last name." },
    { name: "created_at", type: "date", example: "2020-12-01", description: "When the deal was created." },
  ],
  aliases: {
    key: "external_key",
    deal_key: "external_key",
    deal_id: "external_key",
    deal_stage: "stage",
    amount_in_cents: "amount",
    close: "close_date",
    expected_close_date: "close_date",
    account: "account_name",
    company: "account_name",
    company_name: "account_name",
    first_name: "contact_first_name",
    last_name: "contact_last_name",
    partner: "partner_key",
    created: "created_at",
  },
};

export const BASE_OBJECTS: Readonly<Record<ObjectName, BaseObject>> = {
  partners,
  customers,
  transactions,
  rewards,
  leads,
  deals,
};

/** Transactions' metadata limits (DESIGN.md). */
export const METADATA_PREFIX = "metadata.";
export const MAX_METADATA_COLUMNS = 25;
export const METADATA_KEY_PATTERN = /^[A-Za-z0-9_]{1,30}$/;
export const MAX_METADATA_VALUE_LENGTH = 100;
