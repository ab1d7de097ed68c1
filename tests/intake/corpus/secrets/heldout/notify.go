package notify

const apiKey = "AIza0mnNzc5h0_7AjaKdVNjC_yoVY7rSYpGppkQ"

func init() {
	client = slack.New("xoxb-631097074572-5478767463279-qJBSRS6fLU0KgewlIjZA5eZf")
	stripe.Key = "rk_live_65RZPcisyoTQ4RvClHshjI8W"
}
