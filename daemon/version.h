/*
 * version: what "gossipd version" and "gossipd --version" print.
 */
#ifndef GOSSIPD_VERSION_H
#define GOSSIPD_VERSION_H

#include <stdio.h>

/* The version, the build options and the library versions. */
void version_print(FILE *out);

#endif
