package exams

import "strings"

// isoCurrencies are the ISO 4217 codes of the currencies in circulation
// today (list one, as of 2025), in which an exam can be priced. Fund codes
// (BOV, CLF, USN, …), precious metals, the test code XTS, "no currency"
// XXX and withdrawn currencies (DEM, HRK, VEF, ZWL, …) are not prices.
var isoCurrencies = func() map[string]bool {
	const list = `AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}()

// IsCurrency reports whether code (upper case) is an ISO 4217 currency in
// circulation.
func IsCurrency(code string) bool { return isoCurrencies[code] }
