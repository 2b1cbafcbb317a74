package simkit

// RotationJSON is a schedule rotation as the OpsGenie API and its
// successor, the JSM Operations API, render it; P is the emulator's
// participant type.
type RotationJSON[P any] struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	StartDate    string `json:"startDate"`
	EndDate      string `json:"endDate,omitempty"`
	Type         string `json:"type"`
	Length       int    `json:"length"`
	Participants []P    `json:"participants"`
}

// ScheduleJSON is the head of a schedule as the OpsGenie API and the JSM
// Operations API render it; each emulator's schedule embeds it and adds
// its owner and rotations.
type ScheduleJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Timezone    string `json:"timezone"`
	Enabled     bool   `json:"enabled"`
}
