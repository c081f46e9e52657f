"""The script spark-submit runs: ``linkage`` with the command line's arguments, on the session
spark-submit starts (``linkage.spark.session``; absolute imports only: spark-submit runs it as a
file, not a module).  The executors need the engine's environment (README, Running on a cluster):

    spark-submit --master yarn --archives wis-env.tar.gz#env --conf spark.pyspark.python=./env/bin/python \\
        linkage/spark/submit.py dedupe table:wis.register -o /mnt/shared/out --engine spark
"""

import sys

from linkage.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
