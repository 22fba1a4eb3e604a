"""Many recordings at once on a Dask cluster: ``runform batch``."""
