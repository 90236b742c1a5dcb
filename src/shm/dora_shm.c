/*
 * The only native library a TypeScript node may load by default
 * (docs/security.md, "TypeScript nodes"): what the node API needs for
 * zero-copy shared memory, and nothing that reaches files or programs.
 *
 * Deno refuses pointer reads (`Deno.UnsafePointerView`) to a node whose FFI is
 * limited to one library, so a region cannot be handed to JavaScript as a
 * pointer. Instead the node passes the memory of a WebAssembly.Memory (plain,
 * page-aligned memory JavaScript already sees as an ArrayBuffer) and the
 * region is mapped over it (`MAP_FIXED`): the same bytes, no copy.
 *
 * - Region names must have dora's form `/dora-<id>-<node>-<pid>-<n>`
 *   (letters, digits, `_`, `.`, `-`; no second `/`): no other shared-memory
 *   object, and no file, can be opened, created or removed.
 * - File descriptors never leave this library (open, size, map and close in
 *   one call): no descriptor the process holds (a socket, a cache file) can be
 *   mapped or resized through it.
 * - A region is mapped only over private anonymous memory of the process (as
 *   /proc/self/maps says): never over a library's code or data, a file, the
 *   brk heap or the main stack. Created regions are read-write, opened ones
 *   read-only.
 * - Besides regions, three calls on the process itself: the parent-death
 *   signal, lowering (never raising) its own priority, and yielding the CPU.
 *
 * Negative results are -(step << 16 | errno), see `enum step`.
 * The runtime compiles this file (`cc -O2 -shared -fPIC`) into dora's cache.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum step { STEP_NAME = 1, STEP_OPEN, STEP_RESERVE, STEP_MAP, STEP_SIZE, STEP_TARGET };

static int64_t fail(int step, int code) {
  return -(((int64_t)step << 16) | (code & 0xffff));
}

static int digits(const char *s, size_t n) {
  if (n < 1 || n > 10) return 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return 0;
  return 1;
}

/* `/dora-` + [A-Za-z0-9_.-]+ ending in `-<1..10 digits>-<1..10 digits>`. */
int32_t dora_shm_name_ok(const char *name) {
  static const char head[] = "/dora-";
  size_t len = strnlen(name, 256);
  if (len > 255 || strncmp(name, head, sizeof head - 1) != 0) return 0;
  for (size_t i = 1; i < len; i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return 0;
  }
  const char *last = strrchr(name, '-');
  if (!digits(last + 1, len - (size_t)(last + 1 - name))) return 0;
  const char *mid = last - 1;
  while (mid > name && *mid != '-') mid--;
  if (!digits(mid + 1, (size_t)(last - mid - 1))) return 0;
  /* Something (dataflow id, node id) between `/dora-` and the numbers. */
  return mid > name + sizeof head - 1;
}

/* Whether [dest, dest + len) is page-aligned and covered, without gaps, by
 * private anonymous read-write mappings (or dora regions mapped there
 * before): never code, a library, a file, the brk heap or the main stack. */
static int target_ok(void *dest, uint64_t len) {
  uintptr_t start = (uintptr_t)dest, end = start + len;
  long page = sysconf(_SC_PAGESIZE);
  if (len == 0 || end < start || start % (uintptr_t)page != 0) return 0;
  FILE *maps = fopen("/proc/self/maps", "re");
  if (!maps) return 0;
  uintptr_t covered = start;
  char *line = NULL;
  size_t cap = 0;
  while (covered < end && getline(&line, &cap, maps) > 0) {
    unsigned long lo, hi, inode;
    char perms[5], path[32] = "";
    if (sscanf(line, "%lx-%lx %4s %*s %*s %lu %31s", &lo, &hi, perms, &inode,
               path) < 4)
      break;
    if (hi <= covered) continue;
    if (lo > covered) break;
    int anonymous = inode == 0 && path[0] == '\0' && strcmp(perms, "rw-p") == 0;
    int region = strncmp(path, "/dev/shm/dora-", 14) == 0 && perms[3] == 's';
    if (!anonymous && !region) break;
    covered = hi;
  }
  free(line);
  fclose(maps);
  return covered >= end;
}

/* Creates region `name` (never an existing one), reserves `size` bytes (a
 * full /dev/shm fails here, not with SIGBUS later) and maps it read-write
 * over `dest`. 0 or a negative code. */
int64_t dora_shm_create(const char *name, void *dest, uint64_t size) {
  if (!dora_shm_name_ok(name)) return fail(STEP_NAME, EINVAL);
  if (!target_ok(dest, size)) return fail(STEP_TARGET, EINVAL);
  int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) return fail(STEP_OPEN, errno);
  int code = posix_fallocate(fd, 0, (off_t)size);
  if (code != 0) {
    close(fd);
    shm_unlink(name);
    return fail(STEP_RESERVE, code);
  }
  void *p = mmap(dest, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
                 fd, 0);
  code = errno;
  close(fd);
  if (p == MAP_FAILED) {
    shm_unlink(name);
    return fail(STEP_MAP, code);
  }
  return 0;
}

/* The size in bytes of region `name`, or a negative code. */
int64_t dora_shm_size(const char *name) {
  if (!dora_shm_name_ok(name)) return fail(STEP_NAME, EINVAL);
  int fd = shm_open(name, O_RDONLY, 0);
  if (fd < 0) return fail(STEP_OPEN, errno);
  struct stat st;
  int ok = fstat(fd, &st) == 0, code = errno;
  close(fd);
  return ok ? (int64_t)st.st_size : fail(STEP_SIZE, code);
}

/* Maps the first `size` bytes of region `name` read-only over `dest`.
 * Refused (STEP_SIZE) when the region is smaller: reading past its end
 * would be a SIGBUS. 0 or a negative code. */
int64_t dora_shm_map(const char *name, void *dest, uint64_t size) {
  if (!dora_shm_name_ok(name)) return fail(STEP_NAME, EINVAL);
  if (!target_ok(dest, size)) return fail(STEP_TARGET, EINVAL);
  int fd = shm_open(name, O_RDONLY, 0);
  if (fd < 0) return fail(STEP_OPEN, errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size <= 0 || (uint64_t)st.st_size < size) {
    close(fd);
    return fail(STEP_SIZE, 0);
  }
  void *p = mmap(dest, size, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
  int code = errno;
  close(fd);
  return p == MAP_FAILED ? fail(STEP_MAP, code) : 0;
}

/* Removes region `name`: 0, or the errno (EINVAL for a name not of dora's
 * form). Existing mappings stay valid. */
int32_t dora_shm_unlink(const char *name) {
  if (!dora_shm_name_ok(name)) return EINVAL;
  return shm_unlink(name) == 0 ? 0 : errno;
}

/* Puts private zero pages back over a region mapped at `dest`: 0 or errno. */
int32_t dora_shm_release(void *dest, uint64_t size) {
  if (!target_ok(dest, size)) return EINVAL;
  void *p = mmap(dest, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  return p == MAP_FAILED ? errno : 0;
}

/* Lowers this process's priority to nice value `nice` (0..19), never
 * raises it: 0 or the errno. */
int32_t dora_lower_priority(int32_t nice) {
  if (nice < 0 || nice > 19) return EINVAL;
  errno = 0;
  int now = getpriority(PRIO_PROCESS, 0);
  if (errno != 0) return errno;
  if (nice <= now) return 0;
  return setpriority(PRIO_PROCESS, 0, nice) == 0 ? 0 : errno;
}

/* Lets a task woken on this CPU run now (the receiver of what was just
 * written) instead of after this one's turn: 0 or the errno. */
int32_t dora_yield(void) {
  return sched_yield() == 0 ? 0 : errno;
}

/* The kernel kills this process when its parent (the daemon) dies. */
int32_t dora_die_with_parent(void) {
  return prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 ? 0 : errno;
}
