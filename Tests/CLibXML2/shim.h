// libxml2's HTML parser, for tests that read a page as a browser's parser would (a DOM, not a string).
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU; its headers would bring the system's ICU in beside Foundation's own.
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/globals.h>

// xmlFree is a global function pointer, which Swift 6 will not read from concurrent code.
static inline void assure_xml_free(void *pointer) { xmlFree(pointer); }
