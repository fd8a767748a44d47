package loadgen

import (
	"time"

	"example.org/certportal/internal/portal"
)

// exams is the generated program's catalogue: eight certification exams
// from foundational to specialty, each earning its own certification.
func exams() []portal.Exam {
	exam := func(code, name, level string, minutes int, price int64, fee int64, domains ...portal.ExamDomain) portal.Exam {
		pass := 720
		if level == portal.LevelFoundational {
			pass = 700
		}
		return portal.Exam{Code: code, Name: name, Description: name + ": the program's official certification exam.",
			Level: level, Kind: portal.KindExam, DurationMinutes: minutes, Languages: "en,es,de,ja",
			Delivery: portal.DeliveryTestCenter + "," + portal.DeliveryOnline, PriceMinor: price, Currency: "USD",
			PassingScore: pass, RetakeWaitDays: 14, MaxReschedules: 2, RescheduleFeeMinor: fee,
			ValidityMonths: portal.DefaultValidityMonths, ResultsDelayDays: portal.DefaultResultsDelayDays, Active: true,
			Domains: domains}
	}
	d := func(name string, w int) portal.ExamDomain { return portal.ExamDomain{Name: name, WeightPercent: w} }
	return []portal.Exam{
		exam("NTF-101", "Certified Network Foundations", portal.LevelFoundational, 90, 10000, 0,
			d("Network Concepts", 30), d("Addressing and Routing", 30), d("Operations", 20), d("Security Basics", 20)),
		exam("DBF-110", "Certified Data Foundations", portal.LevelFoundational, 90, 10000, 0,
			d("Data Models", 35), d("Querying", 35), d("Governance", 30)),
		exam("CLA-210", "Certified Cloud Administrator – Associate", portal.LevelAssociate, 130, 15000, 0,
			d("Provisioning", 25), d("Monitoring", 25), d("Identity", 25), d("Cost Control", 25)),
		exam("DEV-220", "Certified Application Developer – Associate", portal.LevelAssociate, 130, 15000, 0,
			d("Development", 40), d("Deployment", 30), d("Troubleshooting", 30)),
		exam("SEC-230", "Certified Security Analyst – Associate", portal.LevelAssociate, 150, 15000, 0,
			d("Threats", 30), d("Detection", 35), d("Response", 35)),
		exam("ARC-310", "Certified Solutions Architect – Professional", portal.LevelProfessional, 180, 30000, 5000,
			d("Organisational Complexity", 30), d("New Solutions", 30), d("Migration", 20), d("Improvement", 20)),
		exam("OPS-320", "Certified Operations Engineer – Professional", portal.LevelProfessional, 180, 30000, 5000,
			d("Automation", 35), d("Resilience", 35), d("Incident Response", 30)),
		exam("NET-410", "Certified Advanced Networking – Specialty", portal.LevelSpecialty, 170, 30000, 5000,
			d("Design", 40), d("Implementation", 30), d("Security and Governance", 30)),
	}
}

// centers are the program's test centers, in several countries and time
// zones.
func centers() []portal.TestCenter {
	hours := "mon-fri 08:00-21:00; sat 09:00-17:00"
	c := func(code, name, addr, city, region, postal, country string, lat, lon float64, tz string, seats int) portal.TestCenter {
		return portal.TestCenter{Code: code, Name: name, AddressLine1: addr, City: city, Region: region, PostalCode: postal,
			Country: country, Latitude: lat, Longitude: lon, TimeZone: tz, Seats: seats, Hours: hours, Active: true}
	}
	return []portal.TestCenter{
		c("US-BOS01", "Back Bay Exam Rooms", "500 Boylston St", "Boston", "US-MA", "02116", "US", 42.3503, -71.0740, "America/New_York", 16),
		c("US-ATL01", "Peachtree Testing Center", "191 Peachtree St NE", "Atlanta", "US-GA", "30303", "US", 33.7590, -84.3870, "America/New_York", 12),
		c("US-DEN01", "Union Station Test Site", "1701 Wynkoop St", "Denver", "US-CO", "80202", "US", 39.7530, -105.0000, "America/Denver", 10),
		c("US-SFO01", "Market Street Exam Center", "1 Market St", "San Francisco", "US-CA", "94105", "US", 37.7941, -122.3950, "America/Los_Angeles", 20),
		c("CA-TOR01", "King Street Testing", "100 King St W", "Toronto", "CA-ON", "M5X 1A9", "CA", 43.6487, -79.3817, "America/Toronto", 14),
		c("MX-MEX01", "Centro de Exámenes Reforma", "Paseo de la Reforma 250", "Ciudad de México", "MX-CMX", "06600", "MX", 19.4270, -99.1676, "America/Mexico_City", 12),
		c("FR-PAR01", "Centre d'examens Opéra", "12 Rue Auber", "Paris", "", "75009", "FR", 48.8722, 2.3300, "Europe/Paris", 14),
		c("PL-WAW01", "Centrum Egzaminacyjne Śródmieście", "ul. Marszałkowska 104", "Warszawa", "", "00-017", "PL", 52.2330, 21.0120, "Europe/Warsaw", 10),
		c("EG-CAI01", "Cairo Testing Hall", "26 July St", "Cairo", "", "11511", "EG", 30.0530, 31.2400, "Africa/Cairo", 10),
		c("IN-DEL01", "Connaught Place Test Centre", "N Block, Connaught Place", "New Delhi", "", "110001", "IN", 28.6315, 77.2167, "Asia/Kolkata", 24),
		c("KR-SEL01", "Gangnam Exam Center", "396 Gangnam-daero", "Seoul", "", "06232", "KR", 37.4979, 127.0276, "Asia/Seoul", 16),
		c("SG-SIN01", "Raffles Place Testing", "1 Raffles Pl", "Singapore", "", "048616", "SG", 1.2840, 103.8510, "Asia/Singapore", 14),
	}
}

// person is a legal name in one script, with the language and country
// that usually go with it.
type person struct {
	first, last   []string
	country, lang string
}

// people are legal names across scripts. Latin names come first and most
// often; the others are drawn less often, as in an international program.
var people = []struct {
	weight int
	p      person
}{
	{30, person{first: []string{"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "Aaliyah", "Zoë"},
		last: []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "O'Neil", "Miller-Davis", "Wilson", "Anderson", "Taylor"}, country: "US", lang: "en"}},
	{14, person{first: []string{"María José", "Juan", "Lucía", "Sebastián", "Ana", "Martín", "Sofía", "Álvaro"},
		last: []string{"García López", "Fernández", "Rodríguez", "Martínez", "Pérez", "Gómez", "Núñez", "Ibáñez"}, country: "ES", lang: "es"}},
	{6, person{first: []string{"Jürgen", "Anneliese", "Lukas", "Sophie", "Maximilian", "Grete"},
		last: []string{"Müller", "Schäfer", "Groß", "Weiß", "Köhler", "Becker"}, country: "DE", lang: "en"}},
	{5, person{first: []string{"Thị Lan", "Văn Đức", "Minh Anh", "Quốc Bảo"},
		last: []string{"Nguyễn", "Trần", "Lê", "Phạm"}, country: "VN", lang: "en"}},
	{5, person{first: []string{"Анна", "Дмитрий", "Екатерина", "Сергей", "Ольга"},
		last: []string{"Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова"}, country: "PL", lang: "en"}},
	{3, person{first: []string{"Νίκος", "Ελένη", "Γιώργος", "Μαρία"},
		last: []string{"Παπαδόπουλος", "Γεωργίου", "Οικονόμου", "Νικολάου"}, country: "GR", lang: "en"}},
	{6, person{first: []string{"فاطمة", "محمد", "ليلى", "عمر", "نور"},
		last: []string{"الحسن", "المصري", "حداد", "الخطيب", "يوسف"}, country: "EG", lang: "en"}},
	{2, person{first: []string{"נועה", "דוד", "מאיה", "יוסף"},
		last: []string{"כהן", "לוי", "מזרחי", "פרץ"}, country: "IL", lang: "en"}},
	{8, person{first: []string{"伟", "芳", "娜", "强", "静"},
		last: []string{"王", "李", "张", "刘", "陈"}, country: "CN", lang: "en"}},
	{5, person{first: []string{"さくら", "翔太", "陽菜", "大翔"},
		last: []string{"佐藤", "鈴木", "高橋", "田中"}, country: "JP", lang: "en"}},
	{4, person{first: []string{"지민", "서연", "민준", "하은"},
		last: []string{"김", "이", "박", "최"}, country: "KR", lang: "en"}},
	{8, person{first: []string{"प्रिया", "राहुल", "अनन्या", "अर्जुन", "दीपिका"},
		last: []string{"शर्मा", "वर्मा", "गुप्ता", "सिंह", "पटेल"}, country: "IN", lang: "en"}},
	{2, person{first: []string{"สมชาย", "สุดา", "อนันต์"},
		last: []string{"ใจดี", "ศรีสุข", "วงศ์ใหญ่"}, country: "TH", lang: "en"}},
	{2, person{first: []string{"Kwame", "Adaeze", "Chidi", "Ngozi"},
		last: []string{"Mensah", "Okafor", "Adeyemi", "Nwosu"}, country: "GH", lang: "en"}},
}

// staff are the program's staff accounts and their permission sets.
var staff = []struct {
	first, last string
	sets        []portal.PermissionSet
}{
	{"Ada", "Admin", []portal.PermissionSet{portal.SetAdmin}},
	{"Grace", "Ops", []portal.PermissionSet{portal.SetAdmin}},
	{"Rosa", "Results", []portal.PermissionSet{portal.SetResultsOfficer}},
	{"Raj", "Results", []portal.PermissionSet{portal.SetResultsOfficer}},
	{"Rin", "Results", []portal.PermissionSet{portal.SetResultsOfficer, portal.SetSupport}},
	{"Carl", "Credentials", []portal.PermissionSet{portal.SetCredentialOfficer}},
	{"Chen", "Credentials", []portal.PermissionSet{portal.SetCredentialOfficer}},
	{"Sam", "Scheduler", []portal.PermissionSet{portal.SetScheduler}},
	{"Sade", "Scheduler", []portal.PermissionSet{portal.SetScheduler}},
	{"Sven", "Support", []portal.PermissionSet{portal.SetSupport}},
	{"Sara", "Support", []portal.PermissionSet{portal.SetSupport}},
	{"Cleo", "Review", []portal.PermissionSet{portal.SetCEReviewer}},
}

// Slot times: center sessions at 09:00 and 14:00 local time on weekdays;
// online starts every two hours (UTC).
var centerSessions = []struct {
	hour    int
	session string
}{{9, portal.SessionMorning}, {14, portal.SessionAfternoon}}

const onlineEvery = 2 * time.Hour
