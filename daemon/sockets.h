/*
 * sockets: the daemon's listening sockets: the TCP endpoint and the local
 * admin socket (a Unix socket, mode 0600).
 */
#ifndef GOSSIPD_SOCKETS_H
#define GOSSIPD_SOCKETS_H

#include <stddef.h>
#include <sys/socket.h>

#include "options.h"

/*
 * Binds and listens on cfg->node_ip:cfg->node_port (non-blocking,
 * close-on-exec; "::" accepts IPv4 too). Returns the fd, or -1 with a
 * reason naming the address.
 */
int sockets_listen_tcp(const struct gossipd_config *cfg, char *err,
		       size_t errlen);

/*
 * Opens the admin socket at path (its directory made when missing; a
 * stale socket file replaced). Problems are logged as warnings and give
 * no socket: returns the fd and a copy of the path in *path_out (free it
 * with sockets_admin_close), or -1 and NULL. A NULL or empty path means
 * no admin socket.
 */
int sockets_admin_open(const char *path, char **path_out);

/*
 * Writes a peer address for logs: "ip:port", "[v6]:port" (an IPv4-mapped
 * IPv6 address as plain IPv4), or "admin-socket" for a Unix socket.
 */
void sockets_format_peer(const struct sockaddr *sa, char *buf, size_t len);

/* Closes the admin socket and removes its file. Accepts fd -1. */
void sockets_admin_close(int fd, char *path);

#endif
