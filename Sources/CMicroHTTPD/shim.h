// Only what Swift cannot import from <microhttpd.h>.
#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H
#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <microhttpd.h>

/// MHD_start_daemon is variadic, which Swift cannot call: this fixed-arity form passes every
/// option through one MHD_OPTION_ARRAY.
static inline struct MHD_Daemon *CMicroHTTPD_startDaemon(unsigned int flags, uint16_t port,
                                                         MHD_AccessHandlerCallback handler,
                                                         void *handlerContext,
                                                         const struct MHD_OptionItem *options) {
    return MHD_start_daemon(flags, port, NULL, NULL, handler, handlerContext,
                            MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

/// MHD_get_daemon_info is variadic too: the bound port (useful after binding port 0), or 0.
static inline uint16_t CMicroHTTPD_boundPort(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}
#endif
