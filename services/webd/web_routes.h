/* The routes, one file each; web_http.c dispatches on the path. */
#ifndef THUKY_WEB_ROUTES_H
#define THUKY_WEB_ROUTES_H
#include "web_http.h"

void web_alert_route(web_request_t *req);   /* /a/ALERT/CREDENTIAL (web_alert.c) */
void web_cal_route(web_request_t *req);     /* /cal/... (web_cal.c) */
void web_api_route(web_request_t *req);     /* /api/v1/... (web_api.c) */
void web_board_route(web_request_t *req);   /* /, /login/..., /logout (web_board.c) */
void web_static_route(web_request_t *req);  /* /static/... (web_static.c) */

/* Queues a response MHD made itself (a stream), with the common headers. */
void web_send_mhd(web_request_t *req, struct MHD_Response *response, unsigned status);

#endif
