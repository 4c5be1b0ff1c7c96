"""Fifty ordinary browsers' user agents: desktop, mobile, in-app (Korean ones
among them). None may be taken for a bot."""

_CHROME = "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0"
_ANDROID_WV = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918N Build/UP1A.231005.007; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.200 "
    "Mobile Safari/537.36"
)
_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148"
)

BROWSERS = [
    # Desktop
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36",
    f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_CHROME} Safari/537.36",
    f"Mozilla/5.0 (X11; Linux x86_64) {_CHROME} Safari/537.36",
    f"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) {_CHROME} Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 "
    "Firefox/133.0",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/18.1 Safari/605.1.15",
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36 Edg/131.0.0.0",
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36 OPR/115.0.0.0",
    f"Mozilla/5.0 (Windows NT 10.0; Win64; x64) {_CHROME} Safari/537.36 "
    "Vivaldi/7.0.3495.18",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/130.0.0.0 Whale/4.29.282.14 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/124.0.0.0 YaBrowser/24.6.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
    f"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) {_CHROME} Safari/537.36 "
    "Brave/131",
    # Mobile browsers
    f"{_IPHONE} Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    f"{_IPHONE} CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    f"{_IPHONE} FxiOS/133.0 Mobile/15E148 Safari/605.1.15",
    f"{_IPHONE} EdgiOS/131.0.2903.68 Version/18.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918N) AppleWebKit/537.36 (KHTML, "
    "like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A536N) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/130.0.0.0 Whale/3.28.2.1 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; U; Android 12; zh-cn; 22081212C Build/SKQ1.220303.001) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 "
    "Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.9.111128",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.2903.87",
    "Mozilla/5.0 (Linux; Android 11; KFTRWI) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Silk/131.4.1 like Chrome/131.0.6778.135 Safari/537.36",
    "Mozilla/5.0 (Linux; arm_64; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/124.0.0.0 YaBrowser/24.6.5.61.00 SA/3 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Mobile DuckDuckGo/5 Safari/537.36",
    # Korean in-app browsers
    f"{_ANDROID_WV} KAKAOTALK/10.8.5 (INAPP)",
    f"{_IPHONE} KAKAOTALK 10.8.5",
    f"{_ANDROID_WV} NAVER(inapp; search; 2000; 12.8.1)",
    f"{_IPHONE} NAVER(inapp; search; 2000; 12.6.1; 15PRO)",
    f"{_ANDROID_WV} DaumApps/8.4.1 DaumDevice/mobile",
    f"{_IPHONE} DaumApps/8.3.0 DaumDevice/mobile",
    f"{_ANDROID_WV} KAKAOSTORY/7.4.0",
    f"{_ANDROID_WV} Line/14.19.1",
    f"{_ANDROID_WV} BAND/15.5.2",
    f"{_ANDROID_WV} Viber/22.7.0.1",
    # Other in-app browsers
    f"{_IPHONE} [FBAN/FBIOS;FBAV/489.0.0.39.107;FBBV/668018717;FBDV/iPhone15,2;"
    "FBMD/iPhone;FBSN/iOS;FBSV/18.1;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5;"
    "FBRV/670412345]",
    f"{_ANDROID_WV} [FB_IAB/FB4A;FBAV/492.0.0.68.71;]",
    f"{_IPHONE} Instagram 357.0.0.25.101 (iPhone15,2; iOS 18_1; en_US; en; "
    "scale=3.00; 1179x2556; 664848723)",
    f"{_IPHONE} Twitter for iPhone/10.70",
    f"{_ANDROID_WV} [Pinterest/Android]",
    f"{_IPHONE} Snapchat/13.17.0.38 (like Safari/8618.1.15.10.15, panda)",
    f"{_ANDROID_WV} musical_ly_2023708030 JsSdk/1.0 NetType/WIFI Channel/googleplay "
    "AppName/musical_ly app_version/37.8.3 ByteLocale/en ByteFullLocale/en "
    "Region/US",
    f"{_IPHONE} LinkedInApp/9.30.1500 (iPhone; iOS 18.1)",
    f"{_IPHONE} GSA/343.0.695551749 Mobile/15E148 Safari/604.1",
    f"{_ANDROID_WV} MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 "
    "Weixin NetType/WIFI Language/zh_CN ABI/arm64",
]
