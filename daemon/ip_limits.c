/*
 * ip_limits: a mutex-guarded chained hash table of peer address -> open
 * connections. Entries are removed when their count drops to zero, so the
 * table holds at most as many entries as there are open connections.
 */
#include "ip_limits.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N_BUCKETS 1024

struct ip_entry {
	struct ip_entry *next;
	uint8_t key[17]; /* family byte, then 16 address bytes */
	int count;
};

struct ip_limits {
	pthread_mutex_t lock;
	int max_total, max_per_ip;
	int total;
	struct ip_entry *buckets[N_BUCKETS];
};

struct ip_limits *
ip_limits_new(int max_total, int max_per_ip)
{
	struct ip_limits *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->max_total = max_total;
	t->max_per_ip = max_per_ip;
	return t;
}

void
ip_limits_free(struct ip_limits *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < N_BUCKETS; i++) {
		while (t->buckets[i] != NULL) {
			struct ip_entry *e = t->buckets[i];

			t->buckets[i] = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void
make_key(const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
}

static size_t
hash_key(const uint8_t key[17])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % N_BUCKETS;
}

static struct ip_entry **
find(struct ip_limits *t, const uint8_t key[17])
{
	struct ip_entry **pp = &t->buckets[hash_key(key)];

	while (*pp != NULL && memcmp((*pp)->key, key, 17) != 0)
		pp = &(*pp)->next;
	return pp;
}

enum ip_limit_verdict
ip_limits_acquire(struct ip_limits *t, const struct sockaddr *sa)
{
	enum ip_limit_verdict v = IPL_OK;
	struct ip_entry **pp, *e;
	uint8_t key[17];

	make_key(sa, key);
	pthread_mutex_lock(&t->lock);
	pp = find(t, key);
	e = *pp;
	if (t->max_total > 0 && t->total >= t->max_total) {
		v = IPL_TOTAL;
	} else if (t->max_per_ip > 0 && e != NULL &&
		   e->count >= t->max_per_ip) {
		v = IPL_PER_IP;
	} else if (e == NULL && (e = calloc(1, sizeof(*e))) == NULL) {
		v = IPL_TOTAL; /* out of memory: refuse like a full table */
	} else {
		if (*pp == NULL) {
			memcpy(e->key, key, 17);
			*pp = e;
		}
		e->count++;
		t->total++;
	}
	pthread_mutex_unlock(&t->lock);
	return v;
}

void
ip_limits_release(struct ip_limits *t, const struct sockaddr *sa)
{
	struct ip_entry **pp, *e;
	uint8_t key[17];

	make_key(sa, key);
	pthread_mutex_lock(&t->lock);
	pp = find(t, key);
	e = *pp;
	if (e != NULL) {
		t->total--;
		if (--e->count == 0) {
			*pp = e->next;
			free(e);
		}
	}
	pthread_mutex_unlock(&t->lock);
}
