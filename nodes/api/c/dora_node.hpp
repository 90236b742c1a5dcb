// dora node API for C++ (C++17): a thin RAII wrapper over dora_node.h.
//
//   #include "dora_node.hpp"
//
//   dora::Node node;                       // throws std::runtime_error
//   while (auto event = node.next()) {
//     if (event->type == DORA_EVENT_INPUT) {
//       std::vector<double> values = event->as<double>();
//       node.send_output("out", values);
//     }
//   }
#ifndef DORA_NODE_HPP
#define DORA_NODE_HPP

#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dora_node.h"

namespace dora {

/// One event; its data is valid until the next Node::next().
struct Event {
  dora_event_type_t type;
  std::string kind, id, dtype, message;
  const uint8_t *data;
  size_t len;

  /// The values as a vector of T (fixed-width types: f64 → double, …).
  template <typename T>
  std::vector<T> as() const {
    std::vector<T> out(len);
    if (len && data) std::memcpy(out.data(), data, len * sizeof(T));
    return out;
  }

  /// A utf8 or binary value as a string.
  std::string as_string() const {
    return data ? std::string(reinterpret_cast<const char *>(data), len) : std::string();
  }
};

template <typename T> const char *dtype_of();
template <> inline const char *dtype_of<uint8_t>() { return "u8"; }
template <> inline const char *dtype_of<int8_t>() { return "i8"; }
template <> inline const char *dtype_of<uint16_t>() { return "u16"; }
template <> inline const char *dtype_of<int16_t>() { return "i16"; }
template <> inline const char *dtype_of<uint32_t>() { return "u32"; }
template <> inline const char *dtype_of<int32_t>() { return "i32"; }
template <> inline const char *dtype_of<uint64_t>() { return "u64"; }
template <> inline const char *dtype_of<int64_t>() { return "i64"; }
template <> inline const char *dtype_of<float>() { return "f32"; }
template <> inline const char *dtype_of<double>() { return "f64"; }

/// A dora node: connects on construction, disconnects on destruction.
class Node {
 public:
  Node() {
    char err[512];
    if (dora_init(&node_, err, sizeof err) != 0) throw std::runtime_error(err);
  }
  ~Node() { dora_close(node_); }
  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;

  /// The next event, or nothing at the end of the stream.
  std::optional<Event> next() {
    dora_event_t ev;
    int rc = dora_next(node_, &ev);
    if (rc < 0) throw std::runtime_error("the link to the dora daemon broke");
    if (rc == 0) return std::nullopt;
    return Event{ev.type, ev.kind, ev.id, ev.dtype, ev.message, ev.data, ev.len};
  }

  /// Sends an array of numbers on output `id`.
  template <typename T>
  void send_output(const std::string &id, const std::vector<T> &values) {
    check(dora_send_output(node_, id.c_str(), dtype_of<T>(), values.data(), values.size(), sizeof(T)));
  }

  /// Sends one string (utf8) on output `id`.
  void send_output(const std::string &id, const std::string &text) {
    check(dora_send_output(node_, id.c_str(), "utf8", text.data(), text.size(), 1));
  }

 private:
  static void check(int rc) {
    if (rc != 0) throw std::runtime_error("cannot send: the dora daemon is gone");
  }
  dora_node_t *node_ = nullptr;
};

}  // namespace dora

#endif  // DORA_NODE_HPP
