"""Reads an MCAP recording with the `mcap` Python package and pyarrow and
prints what it found as one JSON object (used by the record tests).

usage: read_mcap.py FILE [--stream]
  default: the seeking reader (summary, index); --stream: the non-seeking
  reader front to back, stopping at the first incomplete record (what a
  crashed recording needs).
"""
import json
import sys

import pyarrow as pa
from mcap.exceptions import McapError
from mcap.reader import NonSeekingReader, make_reader

path = sys.argv[1]
stream = "--stream" in sys.argv
counts = {}
first = {}
metadata = {}
error = None
with open(path, "rb") as f:
    reader = NonSeekingReader(f) if stream else make_reader(f)
    try:
        # In file order: sorting by log time would read the whole file
        # first and lose everything to the error at a crashed file's end.
        for schema, channel, message in reader.iter_messages(log_time_order=not stream):
            counts[channel.topic] = counts.get(channel.topic, 0) + 1
            if channel.topic not in first:
                arrow_schema = pa.ipc.read_schema(pa.py_buffer(schema.data))
                batch = pa.ipc.read_record_batch(pa.py_buffer(message.data), arrow_schema)
                first[channel.topic] = {
                    "schema_encoding": schema.encoding,
                    "message_encoding": channel.message_encoding,
                    "type": str(batch.schema.field("data").type),
                    "values": batch.column("data").to_pylist(),
                    "channel_metadata": dict(channel.metadata),
                }
        if not stream:
            for record in reader.iter_metadata():
                metadata[record.name] = dict(record.metadata)
    except (McapError, EOFError) as e:
        error = type(e).__name__
print(json.dumps({"counts": counts, "first": first, "metadata": metadata, "error": error}))
