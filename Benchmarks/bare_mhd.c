/* A bare libmicrohttpd server: the upper bound for the HTTP benchmark.
 *
 * Same threading model as the service (internal polling thread per core, epoll), reads the
 * whole POST body, and answers with a fixed JSON body of the size the service would send for
 * the request (the response size is taken from argv[2]); no parsing, no evaluation.
 * Build: cc -O2 -o bare_mhd Benchmarks/bare_mhd.c $(pkg-config --cflags --libs libmicrohttpd)
 * Run:   ./bare_mhd PORT RESPONSE_BYTES
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *body;
static size_t body_len;

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_size, void **state) {
    (void)cls; (void)url; (void)method; (void)version; (void)upload_data;
    if (*state == NULL) { *state = (void *)1; return MHD_YES; }
    if (*upload_size != 0) { *upload_size = 0; return MHD_YES; } /* consume the body chunk */
    struct MHD_Response *r = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 8090;
    body_len = argc > 2 ? (size_t)atol(argv[2]) : 64;
    body = malloc(body_len + 1);
    memset(body, '1', body_len);
    if (body_len >= 2) { body[0] = '['; body[body_len - 1] = ']'; }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)port, NULL, NULL, &handle, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cores > 0 ? cores : 1),
        MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d) { fprintf(stderr, "bare_mhd: cannot listen on %d\n", port); return 1; }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    return 0;
}
