/* ___name___: a dora node. Every message on input `in` is sent on, unchanged,
 * on output `out`; it finishes when its inputs close or the dataflow stops. */
#include <stdio.h>

#include "dora_node.h"

int main(void) {
  dora_node_t *node;
  dora_event_t event;
  char err[512];
  if (dora_init(&node, err, sizeof err) != 0) {
    fprintf(stderr, "___name___: %s\n", err);
    return 1;
  }
  while (dora_next(node, &event) > 0) {
    if (event.type == DORA_EVENT_INPUT && strcmp(event.id, "in") == 0) {
      size_t size = dora_dtype_size(event.dtype);
      dora_send_output(node, "out", event.dtype, event.data, event.len, size ? size : 1);
    }
  }
  dora_close(node);
  return 0;
}
