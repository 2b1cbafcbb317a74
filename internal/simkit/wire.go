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
