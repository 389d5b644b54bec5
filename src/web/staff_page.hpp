// The staff page of a home (/homes/{id}/staff/): every member of staff with
// role, contracted hours, units, whether active, certifications (expired and
// expiring ones marked) and upcoming leave; sortable and filtered in the
// browser (staff.js); and the forms that add or edit a member of staff, add a
// certification, request leave, or delete someone after saying which of their
// shifts become vacant.
//
// Its body is one HTML fragment rendered from the domain models (the staff
// list as GET /api/homes/{id}/staff loads it, the home's units, and the shifts
// each member is assigned to from today on), cached in the `template_fragments`
// alias under the home's generation like the dashboard's (home_panel.hpp): a
// warm page costs no query, and any write to the home (a member of staff, a
// certification, leave, a shift) invalidates it. A miss costs six statements:
// the home with its units (1), the staff list (4), the assigned shifts (1).
//
// The fragment holds nothing about the viewer; callers check access first. The
// forms carry no data of their own: staff.js fills them from the fragment's
// JSON block (#staff-data), and every write goes through the JSON API with the
// page's CSRF token, so the API's rules and messages are the page's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"
#include "domain/model.hpp"
#include "http/message.hpp"
#include "service/app.hpp"
#include "service/auth.hpp"

namespace rota::web {

// What the staff page shows, as the reads load it.
struct StaffPageReads {
  domain::HomeUnits home;                     // the home and its units
  std::vector<domain::StaffMember> staff;     // the staff list, by id
  std::vector<domain::AssignedShift> shifts;  // assigned shifts from today, by staff then date
};

// Loads the page's reads of `home` (six statements); not_found for an unknown home.
Result<StaffPageReads> LoadStaffPageReads(service::ReadService& reads, int64_t home, Date today);

// Pure rendering: no I/O (web/staff_page_test.cpp renders structs without a
// server). Rows are ordered by name, then id.
std::string RenderStaffPanel(int64_t home, Date today, const StaffPageReads& reads);

// The cached fragment: from the cache when its generation is current, else
// rendered from LoadStaffPageReads and stored. `bypass` skips every cache.
Result<service::CachedAnswer> StaffPanel(service::App& app, int64_t home, bool bypass);

// GET /homes/{id}/staff/ for a logged-in caller: the page, or a 403 page for
// someone who may not see the home.
http::Response StaffPage(service::App& app, const http::Request& req, const service::SessionPrincipal& caller);
// GET /homes/{id}/staff/panel: the fragment alone, which staff.js fetches after
// a write; answers like the API (401/403/404 JSON). ?nocache=1 bypasses the cache.
http::Response StaffPanelFragment(service::App& app, const http::Request& req);

}  // namespace rota::web
