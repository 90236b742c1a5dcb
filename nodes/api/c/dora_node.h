/*
 * dora node API for C and C++ (header-only, C99, POSIX): a node of a dora for
 * Deno dataflow. It speaks the daemon <-> node protocol of docs/protocol.md
 * over the node's Unix socket; data always travels in the socket frames (the
 * node says `shm: false`, so the daemon copies shared-memory inputs for it).
 *
 *   #include "dora_node.h"
 *
 *   dora_node_t *node; char err[512];
 *   if (dora_init(&node, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 1; }
 *   dora_event_t ev;
 *   while (dora_next(node, &ev) > 0) {
 *     if (ev.type == DORA_EVENT_INPUT)
 *       dora_send_output(node, "out", ev.dtype, ev.data, ev.len, dora_dtype_size(ev.dtype));
 *     else if (ev.type == DORA_EVENT_STOP) break;
 *   }
 *   dora_close(node);
 *
 * Supported data: arrays of fixed-width types (u8 ... i64, f32, f64) and a
 * single utf8 / binary value. Compile with POSIX interfaces visible
 * (`-std=gnu11`, or include this header before any system header).
 */
#ifndef DORA_NODE_H
#define DORA_NODE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DORA_PROTOCOL_VERSION 1
#define DORA_MAX_FRAME (64u * 1024u * 1024u)

typedef enum {
  DORA_EVENT_INPUT,
  DORA_EVENT_INPUT_CLOSED,
  DORA_EVENT_STOP,
  DORA_EVENT_ERROR,
  DORA_EVENT_OTHER /* input_recovered, node_restarted, node_failed */
} dora_event_type_t;

typedef struct {
  dora_event_type_t type;
  char kind[32];        /* the frame's `t`, e.g. "input", "node_failed" */
  char id[256];         /* input id, or upstream node id */
  char dtype[32];       /* "u8", "f64", "utf8", "null", ... ("" when empty) */
  size_t len;           /* number of elements (bytes for utf8/binary) */
  const uint8_t *data;  /* values; valid until the next dora_next() */
  char message[512];    /* ERROR text, STOP cause */
} dora_event_t;

typedef struct dora_node {
  int fd;
  char node_id[256];
  char dataflow_id[64];
  uint64_t last_ts;
  uint8_t *frames;      /* frames of the current batch */
  size_t frames_len, frames_cap, frames_pos;
  int ended;
} dora_node_t;

/* ---- small JSON readers (enough for protocol headers and the config) ---- */

static inline const char *dora__skip_ws(const char *p) {
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  return p;
}

/* Skips one JSON value; returns the position after it (NULL on error). */
static inline const char *dora__skip_value(const char *p) {
  p = dora__skip_ws(p);
  if (*p == '"') {
    for (p++; *p && *p != '"'; p++)
      if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : NULL;
  }
  if (*p == '{' || *p == '[') {
    int depth = 0;
    for (; *p; p++) {
      if (*p == '"') {
        p = dora__skip_value(p);
        if (!p) return NULL;
        p--;
      } else if (*p == '{' || *p == '[') {
        depth++;
      } else if (*p == '}' || *p == ']') {
        if (--depth == 0) return p + 1;
      }
    }
    return NULL;
  }
  while (*p && *p != ',' && *p != '}' && *p != ']') p++;
  return p;
}

/* The value of `key` in the object starting at `obj`, or NULL. */
static inline const char *dora__get(const char *obj, const char *key) {
  const char *p = dora__skip_ws(obj);
  size_t klen = strlen(key);
  if (*p != '{') return NULL;
  p++;
  for (;;) {
    p = dora__skip_ws(p);
    if (*p != '"') return NULL;
    const char *k = p + 1;
    const char *end = dora__skip_value(p);
    if (!end) return NULL;
    int match = (size_t)(end - 1 - k) == klen && strncmp(k, key, klen) == 0;
    p = dora__skip_ws(end);
    if (*p != ':') return NULL;
    p = dora__skip_ws(p + 1);
    if (match) return p;
    p = dora__skip_value(p);
    if (!p) return NULL;
    p = dora__skip_ws(p);
    if (*p == ',') p++;
    else return NULL;
  }
}

/* Copies the JSON string at `v` into `out` (unescaping \" \\ \/). */
static inline int dora__str(const char *v, char *out, size_t cap) {
  size_t n = 0;
  if (!v || *v != '"') return -1;
  for (v++; *v && *v != '"'; v++) {
    char c = *v;
    if (c == '\\' && v[1]) {
      v++;
      c = *v == 'n' ? '\n' : *v == 't' ? '\t' : *v;
    }
    if (n + 1 < cap) out[n++] = c;
  }
  out[n] = 0;
  return 0;
}

static inline int dora__num(const char *v, uint64_t *out) {
  char *end;
  if (!v) return -1;
  *out = strtoull(v, &end, 10);
  return end == v ? -1 : 0;
}

/* ---- frames ---- */

static inline int dora__write_all(int fd, const void *buf, size_t len) {
  const uint8_t *p = (const uint8_t *)buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static inline int dora__read_all(int fd, void *buf, size_t len) {
  uint8_t *p = (uint8_t *)buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n == 0) return 1; /* EOF */
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static inline void dora__put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t dora__get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes one frame: header JSON and an optional payload aligned to 64. */
static inline int dora__send(dora_node_t *n, const char *header, const void *payload, size_t plen) {
  size_t hlen = strlen(header);
  size_t start = 8 + hlen;
  size_t pad = plen ? (64 - start % 64) % 64 : 0;
  size_t total = start + pad + plen;
  uint8_t *buf = (uint8_t *)calloc(1, total);
  if (!buf) return -1;
  dora__put32(buf, (uint32_t)(total - 4));
  dora__put32(buf + 4, (uint32_t)hlen);
  memcpy(buf + 8, header, hlen);
  if (plen) memcpy(buf + start + pad, payload, plen);
  int rc = dora__write_all(n->fd, buf, total);
  free(buf);
  return rc;
}

/* Reads one frame into a fresh buffer (caller frees); 1 = EOF. */
static inline int dora__recv(dora_node_t *n, uint8_t **frame, uint32_t *flen) {
  uint8_t len4[4];
  int rc = dora__read_all(n->fd, len4, 4);
  if (rc != 0) return rc;
  uint32_t len = dora__get32(len4);
  if (len < 4 || len > DORA_MAX_FRAME) return -1;
  uint8_t *buf = (uint8_t *)malloc((size_t)len + 5);
  if (!buf) return -1;
  dora__put32(buf, len);
  rc = dora__read_all(n->fd, buf + 4, len);
  if (rc != 0) { free(buf); return rc; }
  buf[len + 4] = 0;
  *frame = buf;
  *flen = len + 4;
  return 0;
}

/* The header of `frame` as a NUL-terminated string (copied). */
static inline char *dora__header(const uint8_t *frame, uint32_t flen) {
  uint32_t hlen = dora__get32(frame + 4);
  if (8 + (size_t)hlen > flen) return NULL;
  char *h = (char *)malloc(hlen + 1);
  if (!h) return NULL;
  memcpy(h, frame + 8, hlen);
  h[hlen] = 0;
  return h;
}

static inline uint64_t dora__now(dora_node_t *n) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  if (t <= n->last_ts) t = n->last_ts + 1; /* a clock never goes backwards */
  n->last_ts = t;
  return t;
}

/* ---- API ---- */

/** Size in bytes of one element of `dtype` (0 for variable-size types). */
static inline size_t dora_dtype_size(const char *dtype) {
  if (!strcmp(dtype, "u8") || !strcmp(dtype, "i8")) return 1;
  if (!strcmp(dtype, "u16") || !strcmp(dtype, "i16") || !strcmp(dtype, "f16")) return 2;
  if (!strcmp(dtype, "u32") || !strcmp(dtype, "i32") || !strcmp(dtype, "f32")) return 4;
  if (!strcmp(dtype, "u64") || !strcmp(dtype, "i64") || !strcmp(dtype, "f64")) return 8;
  return 0;
}

/**
 * Connects to the daemon named by DORA_NODE_CONFIG and waits until every
 * node of the dataflow is up. Returns 0, or -1 with a message in `err`.
 */
static inline int dora_init(dora_node_t **out, char *err, size_t errlen) {
  const char *config = getenv("DORA_NODE_CONFIG");
  char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  dora_node_t *n;
  struct sockaddr_un addr;
  char hello[768];
  char secret[80];
  if (!config) {
    snprintf(err, errlen, "DORA_NODE_CONFIG is not set: start this node with `dora run` or `dora start`");
    return -1;
  }
  n = (dora_node_t *)calloc(1, sizeof *n);
  if (!n) return -1;
  if (dora__str(dora__get(config, "socket"), socket_path, sizeof socket_path) ||
      dora__str(dora__get(config, "node_id"), n->node_id, sizeof n->node_id) ||
      dora__str(dora__get(config, "dataflow_id"), n->dataflow_id, sizeof n->dataflow_id)) {
    snprintf(err, errlen, "DORA_NODE_CONFIG lacks socket, node_id or dataflow_id");
    free(n);
    return -1;
  }
  n->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
  if (n->fd < 0 || connect(n->fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    snprintf(err, errlen, "cannot connect to the dora daemon at %s: %s", socket_path, strerror(errno));
    if (n->fd >= 0) close(n->fd);
    free(n);
    return -1;
  }
  /* The secret proves that this is the process dora started for the node. */
  if (dora__str(dora__get(config, "secret"), secret, sizeof secret)) secret[0] = 0;
  snprintf(hello, sizeof hello,
           "{\"t\":\"hello\",\"v\":%d,\"node\":\"%s\",\"df\":\"%s\",\"lang\":\"c\",\"pid\":%d,\"shm\":false%s%s%s}",
           DORA_PROTOCOL_VERSION, n->node_id, n->dataflow_id, (int)getpid(),
           secret[0] ? ",\"secret\":\"" : "", secret, secret[0] ? "\"" : "");
  if (dora__send(n, hello, NULL, 0) != 0) {
    snprintf(err, errlen, "cannot write to the dora daemon: %s", strerror(errno));
    close(n->fd);
    free(n);
    return -1;
  }
  for (;;) {
    uint8_t *frame;
    uint32_t flen;
    char *h, t[32];
    int rc = dora__recv(n, &frame, &flen);
    if (rc != 0) {
      snprintf(err, errlen, "the dora daemon closed the connection during the handshake");
      close(n->fd);
      free(n);
      return -1;
    }
    h = dora__header(frame, flen);
    free(frame);
    if (!h || dora__str(dora__get(h, "t"), t, sizeof t)) {
      snprintf(err, errlen, "bad frame from the dora daemon");
      free(h);
      close(n->fd);
      free(n);
      return -1;
    }
    if (!strcmp(t, "error")) {
      char msg[400] = "";
      dora__str(dora__get(h, "message"), msg, sizeof msg);
      snprintf(err, errlen, "dora daemon refused node `%s`: %s", n->node_id, msg);
      free(h);
      close(n->fd);
      free(n);
      return -1;
    }
    free(h);
    if (!strcmp(t, "ready")) break;
  }
  *out = n;
  return 0;
}

/* Decodes one event frame into `ev`; returns 1 when it is an event. */
static inline int dora__event(dora_node_t *n, const uint8_t *frame, uint32_t flen, dora_event_t *ev) {
  char *h = dora__header(frame, flen);
  const char *d;
  (void)n;
  memset(ev, 0, sizeof *ev);
  if (!h) return -1;
  dora__str(dora__get(h, "t"), ev->kind, sizeof ev->kind);
  dora__str(dora__get(h, "id"), ev->id, sizeof ev->id);
  if (!strcmp(ev->kind, "batch_end") || !strcmp(ev->kind, "release")) {
    free(h);
    return 0;
  }
  if (!strcmp(ev->kind, "input")) {
    ev->type = DORA_EVENT_INPUT;
    d = dora__get(h, "d");
    if (d) {
      uint32_t hlen = dora__get32(frame + 4);
      size_t start = ((8 + (size_t)hlen) + 63) / 64 * 64;
      const uint8_t *payload = frame + start;
      const char *bufs = dora__get(d, "bufs");
      uint64_t len = 0;
      int which = 0, want;
      dora__str(dora__get(d, "dt"), ev->dtype, sizeof ev->dtype);
      dora__num(dora__get(d, "len"), &len);
      ev->len = (size_t)len;
      /* values are buffer 1 for fixed-width types, 2 for utf8/binary */
      want = dora_dtype_size(ev->dtype) ? 1 : 2;
      if (bufs && *bufs == '[') {
        const char *p = bufs + 1;
        for (;;) {
          p = dora__skip_ws(p);
          if (*p == ']' || !*p) break;
          if (*p == '[' && which == want) {
            uint64_t off = 0, blen = 0;
            dora__num(dora__skip_ws(p + 1), &off);
            const char *comma = strchr(p, ',');
            if (comma) dora__num(dora__skip_ws(comma + 1), &blen);
            if (start + off + blen <= flen) {
              ev->data = payload + off;
              if (want == 2) ev->len = (size_t)blen;
            }
          }
          p = dora__skip_value(p);
          if (!p) break;
          p = dora__skip_ws(p);
          if (*p == ',') p++;
          which++;
        }
      }
    } else {
      strcpy(ev->dtype, "null");
    }
  } else if (!strcmp(ev->kind, "input_closed")) {
    ev->type = DORA_EVENT_INPUT_CLOSED;
  } else if (!strcmp(ev->kind, "stop")) {
    ev->type = DORA_EVENT_STOP;
    dora__str(dora__get(h, "cause"), ev->message, sizeof ev->message);
  } else if (!strcmp(ev->kind, "error")) {
    ev->type = DORA_EVENT_ERROR;
    dora__str(dora__get(h, "message"), ev->message, sizeof ev->message);
  } else {
    ev->type = DORA_EVENT_OTHER;
    dora__str(dora__get(h, "error"), ev->message, sizeof ev->message);
  }
  free(h);
  return 1;
}

/**
 * Waits for the next event. Returns 1 with `ev` filled, 0 at the end of the
 * stream (after STOP, or when the daemon went away), -1 on a broken link.
 */
static inline int dora_next(dora_node_t *n, dora_event_t *ev) {
  for (;;) {
    while (n->frames_pos < n->frames_len) {
      const uint8_t *frame = n->frames + n->frames_pos;
      uint32_t flen = dora__get32(frame) + 4;
      n->frames_pos += flen;
      int rc = dora__event(n, frame, flen, ev);
      if (rc != 0) {
        if (rc > 0 && ev->type == DORA_EVENT_STOP) n->ended = 1;
        return rc;
      }
    }
    if (n->ended) return 0;
    n->frames_len = n->frames_pos = 0;
    if (dora__send(n, "{\"t\":\"next\"}", NULL, 0) != 0) return 0;
    for (;;) {
      uint8_t *frame;
      uint32_t flen;
      int rc = dora__recv(n, &frame, &flen);
      if (rc == 1) { n->ended = 1; break; }
      if (rc < 0) return -1;
      if (n->frames_len + flen > n->frames_cap) {
        size_t cap = (n->frames_len + flen) * 2;
        uint8_t *grown = (uint8_t *)realloc(n->frames, cap);
        if (!grown) { free(frame); return -1; }
        n->frames = grown;
        n->frames_cap = cap;
      }
      memcpy(n->frames + n->frames_len, frame, flen);
      n->frames_len += flen;
      char *h = dora__header(frame, flen), t[32] = "";
      if (h) dora__str(dora__get(h, "t"), t, sizeof t);
      free(h);
      free(frame);
      int end = !strcmp(t, "batch_end");
      if (end) break;
    }
  }
}

/**
 * Sends `count` elements of `elem_size` bytes (`dtype`: "u8", "i32", "f64",
 * ...; "utf8" or "binary" send `count` bytes as one value) on output `id`.
 * Returns 0, or -1 when the daemon is gone.
 */
static inline int dora_send_output(dora_node_t *n, const char *id, const char *dtype,
                            const void *data, size_t count, size_t elem_size) {
  char header[1024];
  size_t bytes = dora_dtype_size(dtype) ? count * elem_size : count;
  unsigned long long ts = (unsigned long long)dora__now(n);
  if (!strcmp(dtype, "utf8") || !strcmp(dtype, "binary")) {
    /* one value: offsets [0, count] (64-aligned), then the bytes */
    size_t vstart = 64;
    uint8_t *payload = (uint8_t *)calloc(1, vstart + bytes + 1);
    int rc;
    if (!payload) return -1;
    dora__put32(payload + 4, (uint32_t)bytes);
    if (bytes) memcpy(payload + vstart, data, bytes);
    snprintf(header, sizeof header,
             "{\"t\":\"output\",\"o\":\"%s\",\"m\":{\"ts\":\"%llu\"},\"d\":{\"dt\":\"%s\",\"len\":1,\"nulls\":0,\"off\":0,\"bufs\":[null,[0,8],[%zu,%zu]],\"ch\":[]}}",
             id, ts, dtype, vstart, bytes);
    rc = dora__send(n, header, payload, vstart + bytes);
    free(payload);
    return rc;
  }
  if (count == 0 || data == NULL) {
    snprintf(header, sizeof header, "{\"t\":\"output\",\"o\":\"%s\",\"m\":{\"ts\":\"%llu\"}}", id, ts);
    return dora__send(n, header, NULL, 0);
  }
  snprintf(header, sizeof header,
           "{\"t\":\"output\",\"o\":\"%s\",\"m\":{\"ts\":\"%llu\"},\"d\":{\"dt\":\"%s\",\"len\":%zu,\"nulls\":0,\"off\":0,\"bufs\":[null,[0,%zu]],\"ch\":[]}}",
           id, ts, dtype, count, bytes);
  return dora__send(n, header, data, bytes);
}

/** Closes the connection (the daemon sees the node finish) and frees it. */
static inline void dora_close(dora_node_t *n) {
  if (!n) return;
  close(n->fd);
  free(n->frames);
  free(n);
}

#ifdef __cplusplus
}
#endif
#endif /* DORA_NODE_H */
