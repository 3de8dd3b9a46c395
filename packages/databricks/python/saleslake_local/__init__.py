"""A local stand-in for a Databricks runtime: runs SOURCE-format notebooks on local Spark + Delta."""
