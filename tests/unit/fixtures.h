/*
 * fixtures.h: the throw-away PKI that the credential, identity and client
 * unit tests load. tests/data/make-fixtures.sh makes it with openssl in a
 * fresh temporary directory at the start of a test group; it is removed at
 * the end. Nothing that expires is committed.
 */
#ifndef GOSSIP_TEST_FIXTURES_H
#define GOSSIP_TEST_FIXTURES_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Makes the fixtures in a new directory /tmp/gossipd-NAME-XXXXXX, whose
 * path is written to dir (len bytes). quiet sends the script's output to
 * /dev/null. Returns 0, or -1 (dir is then empty).
 */
static inline int
fixtures_make(char *dir, size_t len, const char *name, bool quiet)
{
	const char *data = getenv("GOSSIPD_TEST_DATA");
	char cmd[1024];
	int n;

	if (data == NULL)
		data = "tests/data";
	n = snprintf(dir, len, "/tmp/gossipd-%s-XXXXXX", name);
	if (n < 0 || (size_t)n >= len || mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		return -1;
	}
	n = snprintf(cmd, sizeof(cmd), "bash '%s/make-fixtures.sh' '%s'%s",
		     data, dir, quiet ? " >/dev/null 2>&1" : "");
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* Removes what fixtures_make made; an empty dir is nothing to remove. */
static inline int
fixtures_remove(const char *dir)
{
	char cmd[512];
	int n;

	if (dir[0] == '\0')
		return 0;
	n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

#endif
