/* Sends [1], [2], [3] (f64) on `numbers`, then exits. */
#include <stdio.h>

#include "dora_node.h"

int main(void) {
  dora_node_t *node;
  dora_event_t event;
  char err[512];
  double sent = 0;
  if (dora_init(&node, err, sizeof err) != 0) {
    fprintf(stderr, "feeder: %s\n", err);
    return 1;
  }
  while (sent < 3 && dora_next(node, &event) > 0) {
    if (event.type == DORA_EVENT_INPUT) {
      sent += 1;
      dora_send_output(node, "numbers", "f64", &sent, 1, sizeof sent);
    }
  }
  dora_close(node);
  return 0;
}
