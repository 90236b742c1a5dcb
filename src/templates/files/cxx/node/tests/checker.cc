// Prints the values that came out of the node under test.
#include <iostream>
#include <sstream>

#include "dora_node.hpp"

int main() {
  dora::Node node;
  std::ostringstream out;
  bool first = true;
  while (auto event = node.next()) {
    if (event->type != DORA_EVENT_INPUT || event->dtype != "f64") continue;
    for (double v : event->as<double>()) {
      out << (first ? "" : ", ") << v;
      first = false;
    }
  }
  std::cout << "checker got [" << out.str() << "]" << std::endl;
  return 0;
}
