package console

// oversightRoutes registers the oversight pages.
func (h *handler) oversightRoutes(bureau route) {
	bureau("GET /console/{bureau}/oversight", h.areaPage("oversight"))
}
