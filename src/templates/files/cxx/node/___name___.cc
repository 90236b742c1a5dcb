// ___name___: a dora node. Every message on input `in` is sent on, unchanged,
// on output `out`; it finishes when its inputs close or the dataflow stops.
#include <iostream>

#include "dora_node.hpp"

int main() {
  try {
    dora::Node node;
    while (auto event = node.next()) {
      if (event->type == DORA_EVENT_INPUT && event->id == "in") {
        if (event->dtype == "f64") node.send_output("out", event->as<double>());
        else node.send_output("out", event->as_string());
      }
    }
  } catch (const std::exception &e) {
    std::cerr << "___name___: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
