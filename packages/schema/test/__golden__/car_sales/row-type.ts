/** A valid car_sales row, as returned by its zod validator. */
export interface CarSalesRow {
  /** Selling branch code, e.g. BR0001. */
  branch_id: string;
  /** Dealer code, e.g. DLR0001. */
  dealer_id: string;
  /** Car model code, e.g. BMW-M1. */
  model_id: string;
  /** Revenue of the sale, in whole currency units. */
  revenue: bigint;
  /** Number of cars sold. */
  units_sold: number;
  /** The source system's date surrogate (DTnnnnn); not in date order. */
  date_id: string;
  day: number;
  month: number;
  year: number;
  /** Calendar date of the sale, from Day/Month/Year. */
  sale_date: string;
  branch_name: string;
  dealer_name: string | null;
  /** Car make. */
  product_name: string;
}
