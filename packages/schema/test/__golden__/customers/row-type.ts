/** A valid customers row, as returned by its zod validator. */
export interface CustomersRow {
  /** CRM customer number. */
  customer_id: string;
  full_name: string;
  email: string | null;
  segment: "consumer" | "business" | "fleet";
  region: string;
  /** Last change in the CRM, UTC. */
  updated_at: string;
  is_deleted: boolean | null;
}
