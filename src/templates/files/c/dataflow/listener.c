/* Prints every greeting it receives; exits when the talker is done. */
#include <stdio.h>

#include "dora_node.h"

int main(void) {
  dora_node_t *node;
  dora_event_t event;
  char err[512];
  int received = 0;
  if (dora_init(&node, err, sizeof err) != 0) {
    fprintf(stderr, "listener: %s\n", err);
    return 1;
  }
  while (dora_next(node, &event) > 0) {
    if (event.type == DORA_EVENT_INPUT && strcmp(event.id, "greeting") == 0) {
      received++;
      printf("listener received: %.*s\n", (int)event.len, (const char *)event.data);
      fflush(stdout);
    }
  }
  printf("listener: %d greetings in all\n", received);
  dora_close(node);
  return 0;
}
