"""The script spark-submit runs: ``linkage`` with the command line's arguments, on the cluster's
SparkSession (absolute imports only: spark-submit runs it as a file, not a module).

    spark-submit --master yarn --py-files wis_linkage-0.1.0-py3-none-any.whl \\
        linkage/spark/submit.py dedupe /data/wis/register/ -o out --engine spark
"""

import sys

from linkage.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
