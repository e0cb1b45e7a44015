/* thuky resync: the way out of a diverged subscription (common/runtime/subscriber.h).
 *
 * A follower that finds its source's log is not the one it counted in (a
 * store restored from another backup, or replaced) stops applying and says
 * so in `thuky status`. An admin decides where it goes on from. */
#include <stdio.h>
#include <string.h>

#include "thuky/envelope.pb-c.h"
#include "cli.h"

static const char s_usage[] =
    N_("usage: thuky resync FOLLOWER SOURCE [--from SEQ]\n"
       "       e.g. thuky resync notifyd taskd\n"
       "\n"
       "Ends the divergence 'thuky status' shows for FOLLOWER's subscription to\n"
       "SOURCE's events: FOLLOWER counts in SOURCE's present log and applies its\n"
       "events after SEQ. Without --from: after the last sequence SOURCE had when\n"
       "the divergence was seen (SOURCE was restored from an older backup: what it\n"
       "writes from now on), or from the start of the log when SOURCE's log is\n"
       "another one. When the stored event at the offset differs, --from is needed.\n"
       "Events SOURCE wrote before SEQ and FOLLOWER never applied are not applied;\n"
       "check them with 'thuky events tail --service SOURCE --from N'.\n"
       "The resync is recorded as a subscription.resynced event in FOLLOWER's log.\n");

int cmd_resync(cli_t *cli, int argc, char **argv)
{
    if (cli_wants_help(argc, argv, _(s_usage)))
        return EXIT_OK;
    Thuky__ResyncRequest req = THUKY__RESYNC_REQUEST__INIT;
    if (argc == 5 && strcmp(argv[3], "--from") == 0) {
        unsigned long from;
        if (!cli_parse_uint(argv[4], UINT64_MAX >> 1, &from))
            return cli_error(EXIT_USAGE, "--from needs a sequence number, not '%s'", argv[4]);
        req.from_set_case = THUKY__RESYNC_REQUEST__FROM_SET_FROM_SEQ;
        req.from_seq = from;
    } else if (argc != 3) {
        return fputs(_(s_usage), stderr), EXIT_USAGE;
    }
    service_id_t follower, source;
    if (!cli_parse_service(cli, argv[1], &follower) || !cli_parse_service(cli, argv[2], &source))
        return EXIT_USAGE;
    req.source = (char *)config_service(&cli->config, source)->name;
    Thuky__ResyncReply *reply = NULL;
    int rc = cli_call(cli, follower, "subscription.resync", &req.base,
                      &thuky__resync_reply__descriptor, (ProtobufCMessage **)&reply);
    if (rc != EXIT_OK)
        return rc;
    if (cli->json) {
        cli_print_json(json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "follower", argv[1], "source",
                                 reply->source, "previous_seq", (json_int_t)reply->previous_seq,
                                 "from_seq", (json_int_t)reply->from_seq, "log_id",
                                 reply->log_id, "problem", reply->problem));
    } else {
        printf(_("%s follows %s again: offset %llu -> %llu in log %s\n"), argv[1], reply->source,
               (unsigned long long)reply->previous_seq, (unsigned long long)reply->from_seq,
               reply->log_id);
        if (reply->problem[0])
            printf(_("it had diverged: %s\n"), reply->problem);
    }
    thuky__resync_reply__free_unpacked(reply, NULL);
    return EXIT_OK;
}
