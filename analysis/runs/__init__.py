"""Running replications: the replication runner, where tasks execute (processes or Dask), experiments, comparisons."""
