//! Every route of the API, in one table. `register` is what the server mounts; `route_table`
//! lists the same entries (the methods declared: HEAD and OPTIONS, which every path answers by
//! rule, are left out, see [`answered`]) so a test can hold them against `openapi.yaml`.

use super::handlers::{
    accounts, admin, agency, air, cameras, categories, complaint_events, complaint_filing,
    complaints, devices, dossiers, health, inbox, land, online_dossiers, open311, open311_clients,
    phone, places, procedures, push_admin, questions, sms, stats, warnings,
};
use actix_web::http::{header, Method};
use actix_web::middleware::from_fn;
use actix_web::{guard, web, HttpResponse, Resource, Route};

use crate::app::error::{ApiError, ErrorCode};

pub fn register(cfg: &mut web::ServiceConfig) {
    let mut routes = Routes { cfg, table: Vec::new() };
    mount(&mut routes);
}

/// The operator's listener (`SMARTCITY_METRICS_BIND`), apart from the API: only `/metrics`.
pub fn register_metrics(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(health::metrics));
}

/// Mounts routes given by the caller the same way (tests add a handler that panics).
pub fn register_with(cfg: &mut web::ServiceConfig, extra: impl Fn(&mut Routes)) {
    let mut routes = Routes { cfg, table: Vec::new() };
    extra(&mut routes);
}

/// `(method, path)` of every route `register` mounts, paths in OpenAPI's `{param}` form.
pub fn route_table() -> Vec<(Method, String)> {
    let mut table = Vec::new();
    let _app = actix_web::App::new().configure(|cfg| {
        let mut routes = Routes { cfg, table: Vec::new() };
        mount(&mut routes);
        table = routes.table;
    });
    table
}

fn mount(r: &mut Routes) {
    use Method as M;
    r.at("/healthz", vec![(M::GET, web::to(health::healthz))]);
    r.at("/readyz", vec![(M::GET, web::to(health::readyz))]);

    r.at("/v1/auth/register", vec![(M::POST, web::to(accounts::register))]);
    r.at("/v1/auth/login", vec![(M::POST, web::to(accounts::login))]);
    r.at("/v1/auth/refresh", vec![(M::POST, web::to(accounts::refresh))]);
    r.at("/v1/auth/logout", vec![(M::POST, web::to(accounts::logout))]);
    r.at("/v1/me", vec![(M::GET, web::to(accounts::me)), (M::DELETE, web::to(accounts::erase_me))]);
    r.at("/v1/auth/password-reset", vec![(M::POST, web::to(phone::request_reset))]);
    r.at("/v1/auth/password-reset/confirm", vec![(M::POST, web::to(phone::confirm_reset))]);
    r.at("/v1/me/phone/verification", vec![(M::POST, web::to(phone::request_verification))]);
    r.at(
        "/v1/me/phone/verification/confirm",
        vec![(M::POST, web::to(phone::confirm_verification))],
    );
    r.at("/v1/me/phone/change", vec![(M::POST, web::to(phone::request_change))]);
    r.at("/v1/me/phone/change/confirm", vec![(M::POST, web::to(phone::confirm_change))]);
    r.at("/v1/admin/sms", vec![(M::GET, web::to(sms::outbox))]);
    r.at("/v1/sms/gateway/{secret}/reports", vec![(M::POST, web::to(sms::report))]);
    r.at("/v1/sms/gateway/{secret}/replies", vec![(M::POST, web::to(sms::reply))]);

    r.at("/v1/admin/agencies", vec![(M::POST, web::to(admin::create_agency))]);
    r.at("/v1/admin/staff", vec![(M::POST, web::to(admin::create_staff))]);
    r.at(
        "/v1/admin/agencies/{id}/api-keys",
        vec![(M::POST, web::to(admin::create_api_key)), (M::GET, web::to(admin::list_api_keys))],
    );
    r.at(
        "/v1/admin/agencies/{id}/sms-reminders",
        vec![(M::PUT, web::to(admin::set_sms_reminders))],
    );
    r.at(
        "/v1/admin/agencies/{id}/api-keys/{key_id}",
        vec![(M::DELETE, web::to(admin::revoke_api_key))],
    );

    r.at(
        "/v1/admin/routing-rules",
        vec![(M::GET, web::to(admin::routing_rules)), (M::PUT, web::to(admin::set_routing_rule))],
    );

    r.public_read("/v1/procedures", vec![(M::GET, web::to(procedures::list))]);
    r.public_read("/v1/procedures/{code}", vec![(M::GET, web::to(procedures::show))]);
    r.public_read("/v1/procedure-fields", vec![(M::GET, web::to(procedures::fields))]);
    r.at("/v1/admin/procedures", vec![(M::POST, web::to(procedures::create))]);
    r.at(
        "/v1/admin/procedures/{code}",
        vec![(M::PUT, web::to(procedures::replace)), (M::DELETE, web::to(procedures::retire))],
    );

    r.at("/v1/agency/dossiers", vec![(M::GET, web::to(agency::list))]);
    r.at(
        "/v1/agency/webhook",
        vec![
            (M::GET, web::to(agency::webhook)),
            (M::PUT, web::to(agency::set_webhook)),
            (M::DELETE, web::to(agency::remove_webhook)),
        ],
    );
    r.at(
        "/v1/agency/dossiers/{code}",
        vec![
            (M::GET, web::to(online_dossiers::show_for_agency)),
            (M::PUT, web::to(agency::upsert)),
        ],
    );
    r.at(
        "/v1/agency/dossiers/{code}/files/{file_id}",
        vec![(M::GET, web::to(online_dossiers::file_for_agency))],
    );
    r.at("/v1/agency/dossiers/{code}/decisions", vec![(M::POST, web::to(online_dossiers::decide))]);
    r.at(
        "/v1/agency/dossiers/{code}/result",
        vec![(M::PUT, web::to(online_dossiers::attach_result))],
    );
    r.at(
        "/v1/agency/dossiers/{code}/slips/{slip_id}",
        vec![(M::GET, web::to(online_dossiers::slip_for_agency))],
    );
    r.at("/v1/agency/dossiers/{code}/events", vec![(M::POST, web::to(agency::record_event))]);

    r.at("/v1/dossiers", vec![(M::POST, web::to(online_dossiers::submit))]);
    r.at("/v1/dossiers/lookup", vec![(M::POST, web::to(dossiers::lookup))]);
    r.at("/v1/dossiers/{code}/withdrawal", vec![(M::POST, web::to(online_dossiers::withdraw))]);
    r.at("/v1/dossiers/{code}/supplements", vec![(M::POST, web::to(online_dossiers::supplement))]);
    r.at(
        "/v1/dossiers/{code}/result",
        vec![(M::GET, web::to(online_dossiers::result_for_citizen))],
    );
    r.at(
        "/v1/dossiers/{code}/slips/{slip_id}",
        vec![(M::GET, web::to(online_dossiers::slip_for_citizen))],
    );
    r.at("/v1/dossiers/{code}", vec![(M::GET, web::to(dossiers::show_mine))]);
    r.at(
        "/v1/me/dossiers",
        vec![(M::GET, web::to(dossiers::followed)), (M::POST, web::to(dossiers::follow))],
    );
    r.at("/v1/me/dossiers/{code}", vec![(M::DELETE, web::to(dossiers::unfollow))]);
    r.public_read("/v1/stats/dossiers", vec![(M::GET, web::to(stats::dossiers))]);
    r.public_read("/v1/stats/complaints", vec![(M::GET, web::to(stats::complaints))]);
    r.public_read("/v1/stats/questions", vec![(M::GET, web::to(stats::questions))]);

    r.public_read("/v1/categories", vec![(M::GET, web::to(places::categories))]);
    r.at(
        "/v1/admin/categories",
        vec![(M::GET, web::to(categories::list)), (M::POST, web::to(categories::create))],
    );
    r.at(
        "/v1/admin/categories/{code}",
        vec![(M::PUT, web::to(categories::replace)), (M::DELETE, web::to(categories::retire))],
    );
    r.public_read("/v1/areas", vec![(M::GET, web::to(places::areas))]);
    r.public_read("/v1/land", vec![(M::GET, web::to(land::at_point))]);
    r.public_read("/v1/air/stations", vec![(M::GET, web::to(air::stations))]);
    r.public_read("/v1/air/stations/{code}", vec![(M::GET, web::to(air::station))]);
    r.at("/v1/air/observations", vec![(M::POST, web::to(air::observations))]);
    r.at("/v1/admin/air/networks", vec![(M::POST, web::to(air::create_network))]);
    r.at("/v1/admin/air/stations/{code}", vec![(M::PUT, web::to(air::save_station))]);
    r.public_read("/v1/cameras", vec![(M::GET, web::to(cameras::list))]);
    r.public_read("/v1/cameras/{id}", vec![(M::GET, web::to(cameras::show))]);
    r.public_read("/v1/cameras/{id}/snapshot", vec![(M::GET, web::to(cameras::snapshot))]);
    r.at("/v1/admin/cameras", vec![(M::POST, web::to(cameras::create))]);
    r.at(
        "/v1/admin/cameras/{id}",
        vec![(M::PUT, web::to(cameras::update)), (M::DELETE, web::to(cameras::retire))],
    );
    r.public_read(
        "/v1/warnings",
        vec![(M::GET, web::to(warnings::current)), (M::POST, web::to(warnings::issue))],
    );
    r.public_read(
        "/v1/warnings/{id}",
        vec![(M::GET, web::to(warnings::show)), (M::PUT, web::to(warnings::update))],
    );
    r.public_read(
        "/v1/questions",
        vec![(M::GET, web::to(questions::search)), (M::POST, web::to(questions::ask))],
    );
    r.public_read("/v1/questions/{id}", vec![(M::GET, web::to(questions::published))]);
    r.public_read("/v1/question-topics", vec![(M::GET, web::to(questions::topics))]);
    r.at("/v1/me/questions", vec![(M::GET, web::to(questions::mine))]);
    r.at("/v1/me/questions/{id}", vec![(M::GET, web::to(questions::own))]);
    r.at("/v1/agency/questions", vec![(M::GET, web::to(questions::for_agency))]);
    r.at("/v1/agency/questions/{id}", vec![(M::GET, web::to(questions::held))]);
    r.at("/v1/agency/questions/{id}/attachment", vec![(M::GET, web::to(questions::attachment))]);
    r.at("/v1/agency/questions/{id}/answer", vec![(M::POST, web::to(questions::answer))]);
    r.at("/v1/agency/questions/{id}/transfer", vec![(M::POST, web::to(questions::transfer))]);
    r.at("/v1/admin/question-topics/{code}", vec![(M::PUT, web::to(questions::save_topic))]);
    r.at(
        "/v1/admin/agencies/{id}/question-settings",
        vec![(M::PUT, web::to(questions::save_settings))],
    );
    r.at("/v1/warnings/{id}/cancel", vec![(M::POST, web::to(warnings::cancel))]);
    r.at(
        "/v1/me/areas",
        vec![(M::GET, web::to(warnings::my_areas)), (M::POST, web::to(warnings::follow_area))],
    );
    r.at("/v1/me/areas/{id}", vec![(M::DELETE, web::to(warnings::unfollow_area))]);
    r.at("/v1/admin/areas", vec![(M::PUT, web::to(places::replace_areas))]);
    r.public_read(
        "/v1/complaints",
        vec![(M::GET, web::to(complaints::map)), (M::POST, web::to(complaint_filing::file))],
    );
    r.public_read("/v1/complaints/nearby", vec![(M::GET, web::to(complaints::nearby))]);
    r.public_read("/v1/complaints/{id}", vec![(M::GET, web::to(complaints::show))]);
    r.at("/v1/complaints/{id}/events", vec![(M::POST, web::to(complaint_events::record))]);
    r.at("/v1/complaints/{id}/followers", vec![(M::POST, web::to(complaints::follow))]);
    r.at("/v1/complaints/{id}/me-too", vec![(M::POST, web::to(complaints::me_too))]);
    r.at("/v1/me/complaints", vec![(M::GET, web::to(complaints::mine))]);
    r.at("/v1/me/devices", vec![(M::POST, web::to(devices::register))]);
    r.at("/v1/me/devices/{token}", vec![(M::DELETE, web::to(devices::remove))]);
    r.at("/v1/me/notifications", vec![(M::GET, web::to(inbox::list))]);
    r.at("/v1/me/notifications/unread-count", vec![(M::GET, web::to(inbox::unread))]);
    r.at("/v1/me/notifications/read-all", vec![(M::POST, web::to(inbox::mark_all_read))]);
    r.at("/v1/me/notifications/{id}/read", vec![(M::POST, web::to(inbox::mark_read))]);
    r.at(
        "/v1/me/notification-settings",
        vec![(M::GET, web::to(inbox::settings)), (M::PUT, web::to(inbox::set_settings))],
    );
    r.at("/v1/agency/complaints", vec![(M::GET, web::to(complaints::for_agency))]);
    r.at("/v1/photos/{id}/{variant}", vec![(M::GET, web::to(complaints::photo))]);

    r.at(
        "/v1/admin/open311-clients",
        vec![(M::POST, web::to(open311_clients::create)), (M::GET, web::to(open311_clients::list))],
    );
    r.at("/v1/admin/open311-clients/{id}", vec![(M::DELETE, web::to(open311_clients::revoke))]);
    r.at("/v1/admin/push-dead-letters", vec![(M::GET, web::to(push_admin::list))]);
    r.at("/v1/admin/push-dead-letters/{id}/requeue", vec![(M::POST, web::to(push_admin::requeue))]);
    r.public_read("/open311/v2/discovery.{format}", vec![(M::GET, web::to(open311::discovery))]);
    r.public_read("/open311/v2/services.{format}", vec![(M::GET, web::to(open311::services))]);
    r.public_read(
        "/open311/v2/services/{service_code}.{format}",
        vec![(M::GET, web::to(open311::service_definition))],
    );
    r.public_read(
        "/open311/v2/requests.{format}",
        vec![(M::GET, web::to(open311::requests)), (M::POST, web::to(open311::file))],
    );
    r.public_read(
        "/open311/v2/requests/{service_request_id}.{format}",
        vec![(M::GET, web::to(open311::request))],
    );
    r.public_read("/open311/v2/tokens/{token}.{format}", vec![(M::GET, web::to(open311::token))]);
}

/// Mounts one resource per path with all its methods. HEAD answers wherever GET does (the same
/// status and headers, no body), OPTIONS answers 204 with `Allow` on every path, and any other
/// method 405 with the same `Allow`.
pub struct Routes<'a> {
    cfg: &'a mut web::ServiceConfig,
    table: Vec<(Method, String)>,
}

impl Routes<'_> {
    pub fn at(&mut self, path: &'static str, methods: Vec<(Method, Route)>) {
        let resource = self.resource(path, methods).wrap(from_fn(super::middleware::catch_panics));
        self.cfg.service(resource);
    }

    /// As [`Routes::at`], for a route anyone may read: its GET and HEAD may also be called by
    /// the web pages of the origins in `SMARTCITY_CORS_ORIGINS` (see `http::cors`).
    pub fn public_read(&mut self, path: &'static str, methods: Vec<(Method, Route)>) {
        let resource = self
            .resource(path, methods)
            .wrap(from_fn(super::middleware::catch_panics))
            .wrap(from_fn(super::cors::public_read));
        self.cfg.service(resource);
    }

    fn resource(&mut self, path: &'static str, methods: Vec<(Method, Route)>) -> Resource {
        let declared: Vec<Method> = methods.iter().map(|(method, _)| method.clone()).collect();
        let allow = answered(&declared).iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
        let mut resource = web::resource(path);
        for (method, route) in methods {
            self.table.push((method.clone(), path.to_string()));
            resource = resource.route(if method == Method::GET {
                route.guard(guard::Any(guard::Get()).or(guard::Head()))
            } else {
                route.method(method)
            });
        }
        let options = allow.clone();
        resource
            .route(
                web::route().guard(guard::Options()).to(move || {
                    let allow = options.clone();
                    async move {
                        HttpResponse::NoContent().insert_header((header::ALLOW, allow)).finish()
                    }
                }),
            )
            .default_service(web::to(move || {
                let allow = allow.clone();
                async move {
                    HttpResponse::MethodNotAllowed().insert_header((header::ALLOW, allow)).finish()
                }
            }))
    }
}

/// The methods a path answers, as `Allow` lists them: those declared, HEAD beside GET, and
/// OPTIONS.
pub fn answered(declared: &[Method]) -> Vec<Method> {
    let mut methods = Vec::new();
    for method in declared {
        methods.push(method.clone());
        if *method == Method::GET {
            methods.push(Method::HEAD);
        }
    }
    methods.push(Method::OPTIONS);
    methods
}

pub async fn route_not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::new(ErrorCode::RouteNotFound))
}
