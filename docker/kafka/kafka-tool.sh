#!/bin/sh
# Mounted in the kafka container as /usr/local/bin/kafka-console-consumer (and the other tool
# names), so the runbook's plain tool names work: the official image keeps them in
# /opt/kafka/bin as <name>.sh.
exec "${KAFKA_HOME:-/opt/kafka}/bin/$(basename "$0").sh" "$@"
