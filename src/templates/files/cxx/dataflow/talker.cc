// Sends COUNT greetings on `greeting`, one per timer tick, then exits.
#include <cstdlib>
#include <iostream>
#include <string>

#include "dora_node.hpp"

int main() {
  const char *env = std::getenv("COUNT");
  const int count = env ? std::atoi(env) : 5;
  try {
    dora::Node node;
    int sent = 0;
    while (sent < count) {
      auto event = node.next();
      if (!event || event->type == DORA_EVENT_STOP) break;
      if (event->type == DORA_EVENT_INPUT && event->id == "tick") {
        node.send_output("greeting", "hello " + std::to_string(++sent));
      }
    }
  } catch (const std::exception &e) {
    std::cerr << "talker: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
