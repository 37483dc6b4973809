package console

import (
	"net/http"
	"strconv"

	"gongkai/internal/fault"
	"gongkai/internal/notify"
)

type notificationsData struct {
	Inbox notify.Inbox
}

// notifications is the inbox: the person's notifications, newest first.
func (h *handler) notifications(w http.ResponseWriter, r *http.Request, p *page) {
	if h.deps.Notify == nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "notifications are not available"))
		return
	}
	inbox, err := h.deps.Notify.List(r.Context(), p.User.ID, notify.ListFilter{Limit: 100})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	p.Title = p.T("notify.title")
	p.Data = notificationsData{Inbox: inbox}
	h.render(w, r, http.StatusOK, "notifications", p)
}

func (h *handler) markRead(w http.ResponseWriter, r *http.Request, p *page) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || h.deps.Notify == nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "notification not found"))
		return
	}
	if err := h.deps.Notify.MarkRead(r.Context(), p.User.ID, id); err != nil {
		h.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/console/notifications", http.StatusSeeOther)
}

func (h *handler) markAllRead(w http.ResponseWriter, r *http.Request, p *page) {
	if h.deps.Notify == nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "notifications are not available"))
		return
	}
	if _, err := h.deps.Notify.MarkAllRead(r.Context(), p.User.ID); err != nil {
		h.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/console/notifications", http.StatusSeeOther)
}

type notifySettingsData struct {
	Kinds []notify.KindInfo
	Prefs map[string]string
}

// notificationSettings shows how each kind of notification is mailed:
// at once, in a daily digest, or not at all (the inbox always has it).
func (h *handler) notificationSettings(w http.ResponseWriter, r *http.Request, p *page) {
	if h.deps.Notify == nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "notifications are not available"))
		return
	}
	if r.Method == http.MethodPost {
		var prefs []notify.Preference
		for _, k := range notify.Kinds {
			if v := r.PostFormValue(k.Code); v != "" {
				prefs = append(prefs, notify.Preference{Kind: k.Code, Delivery: v})
			}
		}
		if _, err := h.deps.Notify.SetPreferences(r.Context(), p.User.ID, prefs); err != nil {
			h.fail(w, r, p, err)
			return
		}
		h.flash(w, r, "/console/notifications/settings", "flash.notify_saved", "")
		return
	}
	prefs, err := h.deps.Notify.Preferences(r.Context(), p.User.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := notifySettingsData{Kinds: notify.Kinds, Prefs: map[string]string{}}
	for _, pr := range prefs {
		d.Prefs[pr.Kind] = pr.Delivery
	}
	p.Title = p.T("notify.settings")
	p.Data = d
	h.render(w, r, http.StatusOK, "notify_settings", p)
}
