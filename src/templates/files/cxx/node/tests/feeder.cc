// Sends [1], [2], [3] (f64) on `numbers`, then exits.
#include "dora_node.hpp"

int main() {
  dora::Node node;
  double sent = 0;
  while (sent < 3) {
    auto event = node.next();
    if (!event) break;
    if (event->type == DORA_EVENT_INPUT) node.send_output("numbers", std::vector<double>{++sent});
  }
  return 0;
}
