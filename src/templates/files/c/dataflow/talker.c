/* Sends COUNT greetings on `greeting`, one per timer tick, then exits. */
#include <stdio.h>
#include <stdlib.h>

#include "dora_node.h"

int main(void) {
  dora_node_t *node;
  dora_event_t event;
  char err[512], text[64];
  int count = getenv("COUNT") ? atoi(getenv("COUNT")) : 5, sent = 0;
  if (dora_init(&node, err, sizeof err) != 0) {
    fprintf(stderr, "talker: %s\n", err);
    return 1;
  }
  while (sent < count && dora_next(node, &event) > 0) {
    if (event.type == DORA_EVENT_INPUT && strcmp(event.id, "tick") == 0) {
      int len = snprintf(text, sizeof text, "hello %d", ++sent);
      dora_send_output(node, "greeting", "utf8", text, (size_t)len, 1);
    } else if (event.type == DORA_EVENT_STOP) {
      break;
    }
  }
  dora_close(node);
  return 0;
}
