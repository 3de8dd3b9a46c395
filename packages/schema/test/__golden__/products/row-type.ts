/** A valid products row, as returned by its zod validator. */
export interface ProductsRow {
  product_id: string;
  product_name: string;
  category: string;
  list_price: string;
  updated_at: string;
}
