// Batched UDP I/O for the media workers (media/rtp/batch-io.ts): one call from JavaScript sends a whole
// clock phase's packets, and one call receives every datagram waiting on any of the worker's sockets.
// Node's dgram costs, per datagram, a call into JavaScript, a 64 KiB receive buffer, a Buffer, an
// address object whose string is printed by inet_ntop, and a request object per send; here the
// kernel's work is all that is left per datagram. The sockets stay Node's (bound and connected by
// dgram, closed by it); this only reads and writes their descriptors, after libuv stopped reading them.
//
// Built at install by scripts/build-native.mjs with the C compiler when there is one; without it the
// media workers use dgram (fastPaths in rtp-socket.ts). Node-API only: the same build loads in any
// Node of the same ABI version.
#define NAPI_VERSION 8
#include <node_api.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

// Room in the receive buffer for one datagram (RTP on a LAN never comes near it: larger ones are cut,
// and MSG_TRUNC reports their real length, which the caller drops).
#define SLOT 2048
#define MAX_EVENTS 1024

static int32_t int_arg(napi_env env, napi_value v) {
  int32_t x = -1;
  napi_get_value_int32(env, v, &x);
  return x;
}

// The bytes of a typed array (Int32Array, Uint8Array, Buffer) and their count in elements.
static void *typed_arg(napi_env env, napi_value v, size_t *count) {
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, NULL, "expected a typed array");
    return NULL;
  }
  if (count) *count = length;
  return data;
}

static napi_value int_result(napi_env env, int32_t x) {
  napi_value r;
  napi_create_int32(env, x, &r);
  return r;
}

// create() -> an epoll descriptor for one worker's sockets (or -errno)
static napi_value Create(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = epoll_create1(EPOLL_CLOEXEC);
  return int_result(env, fd < 0 ? -errno : fd);
}

// add(epfd, fd, slot) -> 0 or -errno. Level-triggered: a datagram left unread is reported again.
static napi_value Add(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  int fd = int_arg(env, a[1]);
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.u64 = ((uint64_t)(uint32_t)fd << 32) | (uint32_t)int_arg(env, a[2]);
  return int_result(env, epoll_ctl(int_arg(env, a[0]), EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno);
}

// remove(epfd, fd) -> 0 or -errno
static napi_value Remove(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  return int_result(env, epoll_ctl(int_arg(env, a[0]), EPOLL_CTL_DEL, int_arg(env, a[1]), NULL) == 0 ? 0 : -errno);
}

// recv(epfd, data: Uint8Array, meta: Int32Array) -> how many entries meta got, five words each: the
// socket's slot, the datagram's offset in data, its length (or -errno: a connected socket's ICMP
// error, read and so cleared), the source's IPv4 address (host order) and port. Does not wait.
static napi_value Recv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  size_t room, words;
  int epfd = int_arg(env, a[0]);
  uint8_t *data = typed_arg(env, a[1], &room);
  if (data == NULL) return NULL;
  int32_t *meta = typed_arg(env, a[2], &words);
  if (meta == NULL) return NULL;
  size_t most = words / 5;
  if (most > room / SLOT) most = room / SLOT;
  if (most > MAX_EVENTS) most = MAX_EVENTS;
  // on this call's stack: every media worker thread of the process calls in here at once (one array for
  // the module mixed the workers' events, and a datagram went to another worker's session)
  struct epoll_event events[MAX_EVENTS];
  int ready = epoll_wait(epfd, events, (int)most, 0);
  size_t at = 0;
  int32_t n = 0;
  for (int i = 0; i < ready; i++) {
    struct sockaddr_in from;
    socklen_t fromLength = sizeof from;
    int fd = (int)(events[i].data.u64 >> 32);
    ssize_t got = recvfrom(fd, data + at, SLOT, MSG_DONTWAIT | MSG_TRUNC, (struct sockaddr *)&from, &fromLength);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    int32_t *m = meta + 5 * n++;
    m[0] = (int32_t)(uint32_t)events[i].data.u64;
    m[1] = (int32_t)at;
    if (got < 0) {
      m[2] = -errno;
      m[3] = 0;
      m[4] = 0;
      continue;
    }
    m[2] = got > SLOT ? -EMSGSIZE : (int32_t)got;
    m[3] = from.sin_family == AF_INET ? (int32_t)ntohl(from.sin_addr.s_addr) : 0;
    m[4] = from.sin_family == AF_INET ? ntohs(from.sin_port) : 0;
    if (got > 0 && got <= SLOT) at += ((size_t)got + 7) & ~(size_t)7;
  }
  return int_result(env, n);
}

// send(fds: Int32Array, data: Uint8Array, spans: Int32Array, n) -> how many the kernel took: datagram
// i is spans[2i+1] bytes at spans[2i] of data, on connected socket fds[i]. A datagram the kernel
// refuses (a full send buffer, a pending ICMP error) is dropped, as dgram drops it without a callback.
static napi_value Send(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  size_t nfds, room, nspans;
  int32_t *fds = typed_arg(env, a[0], &nfds);
  if (fds == NULL) return NULL;
  uint8_t *data = typed_arg(env, a[1], &room);
  if (data == NULL) return NULL;
  int32_t *spans = typed_arg(env, a[2], &nspans);
  if (spans == NULL) return NULL;
  int32_t n = int_arg(env, a[3]);
  if (n < 0 || (size_t)n > nfds || (size_t)n * 2 > nspans) {
    napi_throw_range_error(env, NULL, "more datagrams than descriptors or spans");
    return NULL;
  }
  int32_t sent = 0;
  for (int32_t i = 0; i < n; i++) {
    size_t off = (size_t)spans[2 * i], len = (size_t)spans[2 * i + 1];
    if (off + len > room) continue;
    if (send(fds[i], data + off, len, MSG_DONTWAIT) >= 0) sent++;
  }
  return int_result(env, sent);
}

// close(epfd)
static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  return int_result(env, close(int_arg(env, a[0])) == 0 ? 0 : -errno);
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor d[] = {
      {"create", NULL, Create, NULL, NULL, NULL, napi_enumerable, NULL},
      {"add", NULL, Add, NULL, NULL, NULL, napi_enumerable, NULL},
      {"remove", NULL, Remove, NULL, NULL, NULL, napi_enumerable, NULL},
      {"recv", NULL, Recv, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, Send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, Close, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof d / sizeof d[0], d);
  return exports;
}

NAPI_MODULE_INIT() { return Init(env, exports); }
