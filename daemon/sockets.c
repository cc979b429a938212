/*
 * sockets: binding the TCP endpoint and the admin Unix socket.
 */
#include "sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define BACKLOG 1024

int
sockets_listen_tcp(const struct gossipd_config *cfg, char *err, size_t errlen)
{
	struct addrinfo hints = {
	    .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
	    .ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai = NULL;
	char port[16];
	int fd = -1, one = 1, zero = 0;

	snprintf(port, sizeof(port), "%d", cfg->node_port);
	if (getaddrinfo(cfg->node_ip, port, &hints, &ai) != 0 || ai == NULL) {
		snprintf(err, errlen, "NodeIp: \"%s\" is not an IP address",
			 cfg->node_ip);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, BACKLOG) != 0)
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	snprintf(err, errlen,
		 strchr(cfg->node_ip, ':') != NULL
		     ? "cannot listen on [%s]:%d (NodeIp, NodePort): %s"
		     : "cannot listen on %s:%d (NodeIp, NodePort): %s",
		 cfg->node_ip, cfg->node_port, strerror(errno));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

/* mkdir -p for the directory part of path; *made says whether its last
 * directory was made here. Returns 0 or -1 (errno). */
static int
make_parent_dirs(const char *path, bool *made)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;
	char *p;

	*made = false;
	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	*made = mkdir(dir, 0755) == 0;
	if (!*made && errno != EEXIST)
		return -1;
	if (stat(dir, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/* A socket file already there: in use by a live daemon, or stale. */
static int
check_existing(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		log_warn("AdminSocket: %s exists and is not a socket; no admin "
			 "socket",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rc = fd >= 0 ? connect(fd, (const struct sockaddr *)sa, sizeof(*sa))
		     : -1;
	if (fd >= 0)
		close(fd);
	if (rc == 0) {
		log_warn("AdminSocket: another process listens on %s; no "
			 "admin socket",
			 path);
		return -1;
	}
	unlink(path);
	return 0;
}

int
sockets_admin_owner(const struct gossipd_config *cfg, struct admin_owner *o,
		    char *err, size_t errlen)
{
	const char *user = cfg->run_as_user, *group = cfg->run_as_group;
	const char *agroup = cfg->admin_socket_group;
	struct passwd *pw;
	struct group *gr;

	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	o->mode = 0600;
	/* the user and group drop_privileges will become (daemon.c) */
	if (geteuid() == 0 && !cfg->allow_root && user != NULL &&
	    user[0] != '\0' && (pw = getpwnam(user)) != NULL) {
		o->uid = pw->pw_uid;
		o->gid = pw->pw_gid;
		if (group != NULL && group[0] != '\0' &&
		    (gr = getgrnam(group)) != NULL)
			o->gid = gr->gr_gid;
	}
	if (agroup != NULL && agroup[0] != '\0') {
		gr = getgrnam(agroup);
		if (gr == NULL) {
			snprintf(err, errlen,
				 "AdminSocketGroup: no such group \"%s\"",
				 agroup);
			return -1;
		}
		o->gid = gr->gr_gid;
		o->mode = 0660;
	}
	return 0;
}

int
sockets_admin_open(const char *path, const struct admin_owner *o,
		   char **path_out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	bool made_dir;
	mode_t old;
	int fd;

	*path_out = NULL;
	if (path == NULL || path[0] == '\0')
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warn("AdminSocket: path %s is too long; no admin socket",
			 path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (make_parent_dirs(path, &made_dir) != 0) {
		log_warn("AdminSocket: cannot create the directory of %s: %s; "
			 "no admin socket",
			 path, strerror(errno));
		return -1;
	}
	if (check_existing(path, &sa) != 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	/* the socket is born with its final mode: nothing acts on the
	 * path by mode after bind (a chmod by path would follow a
	 * symlink swapped in by the daemon's user) */
	old = umask((mode_t)(~o->mode & 0777));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	/* the daemon's own user (after the privilege drop) owns it, and
	 * the directory made for it, so that it can also remove it at
	 * stop; AdminSocketGroup opens it to a group. The directory may
	 * already belong to that user, who could swap the socket for a
	 * symlink: never follow one */
	if ((o->uid != (uid_t)-1 || o->gid != (gid_t)-1) &&
	    fchownat(AT_FDCWD, path, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) != 0)
		goto fail;
	if (made_dir && o->uid != (uid_t)-1) {
		char dir[sizeof(sa.sun_path)];

		snprintf(dir, sizeof(dir), "%s", path);
		*strrchr(dir, '/') = '\0';
		if (fchownat(AT_FDCWD, dir, o->uid, (gid_t)-1,
			     AT_SYMLINK_NOFOLLOW) != 0)
			log_warn(
			    "AdminSocket: cannot give %s to the daemon's "
			    "user: %s (the socket may stay behind at stop)",
			    dir, strerror(errno));
	}
	if (listen(fd, 64) != 0)
		goto fail;
	*path_out = strdup(path);
	log_info("admin socket at %s (mode %04o)", path, (unsigned)o->mode);
	return fd;
fail:
	log_warn("AdminSocket: cannot listen on %s: %s; no admin socket", path,
		 strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void
sockets_admin_close(int fd, char *path)
{
	if (fd >= 0)
		close(fd);
	if (path != NULL && unlink(path) != 0 && errno != ENOENT)
		log_warn("AdminSocket: cannot remove %s: %s", path,
			 strerror(errno));
	free(path);
}

void
sockets_format_peer(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], ip,
				  sizeof(ip));
			snprintf(buf, len, "%s:%u", ip, ntohs(in6->sin6_port));
			return;
		}
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "admin-socket");
	}
}
