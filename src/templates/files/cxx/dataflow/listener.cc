// Prints every greeting it receives; exits when the talker is done.
#include <iostream>

#include "dora_node.hpp"

int main() {
  try {
    dora::Node node;
    int received = 0;
    while (auto event = node.next()) {
      if (event->type == DORA_EVENT_INPUT && event->id == "greeting") {
        received++;
        std::cout << "listener received: " << event->as_string() << std::endl;
      }
    }
    std::cout << "listener: " << received << " greetings in all" << std::endl;
  } catch (const std::exception &e) {
    std::cerr << "listener: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
