/* SPDX-License-Identifier: MIT */
/*
 * xmlbody.c -- libxml2 behind xmlbody.h.
 */
#include <libxml/xmlversion.h>

#include "xmlbody.h"

const char *xmlbody_version(void)
{
	return LIBXML_DOTTED_VERSION;
}
