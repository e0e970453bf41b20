/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * MESSAGE_IDs of the journal messages an operator should know about.  Each
 * one is stable forever (made once with `systemd-id128 new`) and has an
 * entry in contrib/journal/storguard.catalog that says what happened, why
 * it matters and what to do; tests/unit/test-log-event.c checks that the
 * two lists agree.  Look a message up with
 *
 *   journalctl -x MESSAGE_ID=<id>       journalctl --catalog=<id>
 *
 * The structured fields that go with them (every one optional):
 *
 *   STORGUARD_CI_ID            the configuration item's stable id
 *   STORGUARD_CI_TYPE          disk, controller, pci, array, multipath
 *   STORGUARD_DEVICE           kernel name ("sda", "md0", "host2")
 *   STORGUARD_DEVNODE          "/dev/sda"
 *   STORGUARD_MODEL, STORGUARD_SERIAL, STORGUARD_WWN, STORGUARD_FIRMWARE
 *   STORGUARD_TRANSPORT        sata, sas, nvme, ...
 *   STORGUARD_STATE            array/map state ("clean", "degraded", ...)
 *   STORGUARD_INCIDENT_ID      "<host>-<number>"
 *   STORGUARD_INCIDENT_EVENT   raised, updated, mitigated, resolved, closed, acknowledged
 *   STORGUARD_PRIORITY_CLASS   1 (highest) .. 5
 *   STORGUARD_MAJOR            1 for a major incident
 *   STORGUARD_CATEGORY         disk, controller, path, array, enclosure, known_error
 *   STORGUARD_IMPACT, STORGUARD_URGENCY, STORGUARD_STATUS
 *   STORGUARD_DEDUP_KEY        the fault's fingerprint ("<fault class>:<CI id>")
 *   STORGUARD_KNOWN_ERROR      the matched known-errors entry
 *   STORGUARD_PATH             a file the message is about (store, metrics, configuration)
 *   STORGUARD_ACTION, STORGUARD_MODE   a response: md.fail_member, ...; enforce, dry-run, off, refused
 */

/* The daemon. */
#define SG_MESSAGE_STARTED              "30ff13d889da4f38bed02d7614491a22"
#define SG_MESSAGE_STOPPED              "1edb72469be34eab82f30190fc429bd5"
#define SG_MESSAGE_CONFIG_RELOAD_FAILED "3e2a937e0ac3481eaac55942d8ae87f8"

/* The inventory. */
#define SG_MESSAGE_DEVICE_FOUND         "8f7b84f992ea48ed9ddae4c0dea87a9e"
#define SG_MESSAGE_DEVICE_REMOVED       "cadfee417d1e4aeb8f6a037b3553cc03"
#define SG_MESSAGE_DISK_NO_HEALTH       "318511ba63a94b15b40c98f4839f5238"
#define SG_MESSAGE_ARRAY_STATE          "6903320a461b4b59bff04ef9d4da3a4b"

/* An incident is raised: one id per fault class, so that each class has
 * its own knowledge article in the catalog. */
#define SG_MESSAGE_INCIDENT_DISK_FAILED     "f48cc29e28454d2cb822d8f8b82e961e"
#define SG_MESSAGE_INCIDENT_DISK_OFFLINE    "19b82b4bb32147f8bade81df21d119f2"
#define SG_MESSAGE_INCIDENT_DISK_MEDIA      "bd9a0ab6ef9147859cf36090590a7003"
#define SG_MESSAGE_INCIDENT_DISK_TRANSPORT  "65a6a864e2304e55af1210cca719819f"
#define SG_MESSAGE_INCIDENT_DISK_LINK       "9c0e2345ab9246a2b0af44057ebd5c44"
#define SG_MESSAGE_INCIDENT_DISK_PRECURSORS "6fd1001d2752445497424202e7305a25"
#define SG_MESSAGE_INCIDENT_DISK_FAIL_SLOW  "d68570a8e07344938a30a96374437a2e"
#define SG_MESSAGE_INCIDENT_DISK_SMART_HISTORY "cd940ba008094a8e87b579cd6c7f004d"
#define SG_MESSAGE_INCIDENT_CONTROLLER      "cd7303accaea499ba9ca54c4654ee2ef"
#define SG_MESSAGE_INCIDENT_PATH_FAILED     "81f79b14b9b244a880f195e6a62fcd3b"
#define SG_MESSAGE_INCIDENT_PATH_FLAPPING   "8433494b6e56468ca29af75f82969a68"
#define SG_MESSAGE_INCIDENT_KNOWN_ERROR     "cdaab24b643249039fba84a03e2a915f"

/* An incident's later life. */
#define SG_MESSAGE_INCIDENT_UPDATED      "3bb8a520dde94f828532a51ee9d142e1"
#define SG_MESSAGE_INCIDENT_MITIGATED    "85f4bbdab23e4e4abe9af68eed7a1924"
#define SG_MESSAGE_INCIDENT_RESOLVED     "5c0773a13d0d4f81992f90e1bdc08761"
#define SG_MESSAGE_INCIDENT_CLOSED       "741ff083ec804a7ea96554af8908178b"
#define SG_MESSAGE_INCIDENT_ACKNOWLEDGED "6038bdf0197f4a12939590ccf4495adf"

/* The response agent acted (or would have, or refused). */
#define SG_MESSAGE_RESPONSE_ACTION       "9ff7b48a2b8e42c08ab89ef64a77ac1c"

/* Where storguard keeps and publishes what it knows. */
#define SG_MESSAGE_STORE_UNWRITABLE      "25b0f4f7da824e7aa405b202bdace4f7"
#define SG_MESSAGE_STORE_RECOVERED       "2bbd2ee4037d420a809842b3614c2c7e"
#define SG_MESSAGE_METRICS_FAILED        "0338ca43bb5247a7bf25fb9c06cf1b25"
