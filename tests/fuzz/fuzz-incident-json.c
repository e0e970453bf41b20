/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Incidents read back from the store (a corrupt or hand-edited database
 * row): incident_from_json(), and the round trip through incident_to_json(). */
#include <json-c/json.h>

#include "fuzz.h"
#include "incident.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        json_tokener *tok;
        json_object *o, *again;
        Incident *i = NULL;

        fuzz_setup();
        tok = json_tokener_new();
        if (!tok)
                return 0;
        o = json_tokener_parse_ex(tok, (const char *) data, (int) (size > INT32_MAX ? INT32_MAX : size));
        json_tokener_free(tok);
        if (!o)
                return 0;
        if (incident_from_json(o, &i) >= 0) {
                again = incident_to_json(i);
                json_object_put(again);
                incident_free(i);
        }
        json_object_put(o);
        return 0;
}
