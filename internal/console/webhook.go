package console

// webhookRoutes registers the webhook and reminder settings pages.
func (h *handler) webhookRoutes(bureau route) {}
