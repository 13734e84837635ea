"""PySpark jobs (extra ``linkequity[spark]``): WARC/WAT to the store's Parquet tables, and ranks.

Nothing here imports pyspark at import time; each job loads it through
:func:`linkequity.spark.session.spark_session`, which names the extra to install
when it is missing.
"""
