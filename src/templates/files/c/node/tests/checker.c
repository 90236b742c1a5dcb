/* Prints the values that came out of the node under test. */
#include <stdio.h>

#include "dora_node.h"

int main(void) {
  dora_node_t *node;
  dora_event_t event;
  char err[512], out[256] = "";
  size_t used = 0;
  if (dora_init(&node, err, sizeof err) != 0) {
    fprintf(stderr, "checker: %s\n", err);
    return 1;
  }
  while (dora_next(node, &event) > 0) {
    if (event.type == DORA_EVENT_INPUT && strcmp(event.dtype, "f64") == 0) {
      const double *values = (const double *)event.data;
      for (size_t i = 0; i < event.len && used < sizeof out - 16; i++) {
        used += (size_t)snprintf(out + used, sizeof out - used, "%s%g", used ? ", " : "", values[i]);
      }
    }
  }
  printf("checker got [%s]\n", out);
  dora_close(node);
  return 0;
}
