//! OTPZap catalogues: Server 1 (countries, services, products), Server 2 (countries, services,
//! operators, special services) and Server 3 email sites and domains.

use super::{currency, OtpZapClient};
use crate::error::ProviderError;
use crate::http::Call;
use crate::lenient::{each, kind, Extra, Id, Obj};
use otpdesk_core::{Currency, Money};
use serde_json::Value;

/// A country of Server 1 or Server 2: `{"id":7,"name":"Indonesia"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    pub id: Id,
    pub name: Option<String>,
    pub extra: Extra,
}

/// A Server 1 platform/service: `{"id":1,"code":"whatsapp","name":"WhatsApp"}`. Its `id` is the
/// `platform_id` of `/products` and `/order/create`.
#[derive(Debug, Clone, PartialEq)]
pub struct S1Service {
    pub id: Id,
    pub code: Option<String>,
    pub name: Option<String>,
    pub extra: Extra,
}

/// A Server 1 product (service + country + price tier).
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: Id,
    pub name: Option<String>,
    pub price: Option<Money>,
    pub stock: Option<i64>,
    pub extra: Extra,
}

/// `pagination` of `/products` (assumed in WIRE.md; absent on the documented example).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    pub page: Option<i64>,
    pub limit: Option<i64>,
    pub total: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductPage {
    pub products: Vec<Product>,
    pub pagination: Option<Pagination>,
    pub extra: Extra,
}

/// Sort orders of `/products` (WIRE.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductSort {
    PriceAsc,
    PriceDesc,
    StockDesc,
}

impl ProductSort {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductSort::PriceAsc => "price_asc",
            ProductSort::PriceDesc => "price_desc",
            ProductSort::StockDesc => "stock_desc",
        }
    }
}

/// Filters and paging of `/products`; all optional. `page` is 1-based, `limit` at most 100.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductQuery {
    pub platform_id: Option<Id>,
    pub country_id: Option<Id>,
    pub page: Option<u32>,
    pub limit: Option<u32>,
    pub sort: Option<ProductSort>,
}

/// A Server 2 service with its price for a country, or a special service:
/// `{"service_id":101,"service_name":"WhatsApp","price":1500}`.
#[derive(Debug, Clone, PartialEq)]
pub struct S2Service {
    pub service_id: Id,
    pub service_name: Option<String>,
    pub price: Option<Money>,
    pub extra: Extra,
}

/// A suggested Server 3 target site.
#[derive(Debug, Clone, PartialEq)]
pub struct EmailSite {
    pub site: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmailSites {
    pub sites: Vec<EmailSite>,
    pub total: Option<i64>,
    pub extra: Extra,
}

/// An email domain for a site: `{"name":"gmail.com","price_idr":12000,"stock":25,"cancel_fee_idr":0,
/// "activation_rate":92.5}` (`activation_rate`, a percentage, per WIRE.md).
#[derive(Debug, Clone, PartialEq)]
pub struct EmailDomain {
    pub name: String,
    pub price: Option<Money>,
    pub stock: Option<i64>,
    pub cancel_fee: Option<Money>,
    pub activation_rate: Option<f64>,
    pub extra: Extra,
}

impl OtpZapClient {
    /// `GET /countries` (Server 1).
    pub async fn countries(&self) -> Result<Vec<Country>, ProviderError> {
        self.http
            .send(Call::get("/countries"), decoders::countries)
            .await
    }

    /// `GET /services[?country_id=]` (Server 1 platforms).
    pub async fn services(&self, country_id: Option<&Id>) -> Result<Vec<S1Service>, ProviderError> {
        let call = Call::get("/services").query_opt("country_id", country_id);
        self.http.send(call, decoders::s1_services).await
    }

    /// `GET /products` (Server 1), filtered and paged.
    pub async fn products(&self, query: &ProductQuery) -> Result<ProductPage, ProviderError> {
        let call = Call::get("/products")
            .query_opt("platform_id", query.platform_id.as_ref())
            .query_opt("country_id", query.country_id.as_ref())
            .query_opt("page", query.page)
            .query_opt("limit", query.limit)
            .query_opt("sort", query.sort.map(ProductSort::as_str));
        self.http.send(call, decoders::product_page).await
    }

    /// `GET /s2/countries`.
    pub async fn s2_countries(&self) -> Result<Vec<Country>, ProviderError> {
        self.http
            .send(Call::get("/s2/countries"), decoders::countries)
            .await
    }

    /// `GET /s2/services?country_id=`: services with prices for one country.
    pub async fn s2_services(&self, country_id: &Id) -> Result<Vec<S2Service>, ProviderError> {
        let call = Call::get("/s2/services").query("country_id", country_id);
        self.http.send(call, decoders::s2_services).await
    }

    /// `GET /s2/operators?country_id=`: operator names (`"random"` lets OTPZap choose).
    pub async fn s2_operators(&self, country_id: &Id) -> Result<Vec<String>, ProviderError> {
        let call = Call::get("/s2/operators").query("country_id", country_id);
        self.http.send(call, decoders::operators).await
    }

    /// `GET /s2/special`: special services (no country/operator).
    pub async fn s2_special(&self) -> Result<Vec<S2Service>, ProviderError> {
        self.http
            .send(Call::get("/s2/special"), decoders::s2_services)
            .await
    }

    /// `GET /s3/sites`: suggested email target sites.
    pub async fn email_sites(&self) -> Result<EmailSites, ProviderError> {
        self.http
            .send(Call::get("/s3/sites"), decoders::email_sites)
            .await
    }

    /// `GET /s3/domains?site=`: domains, stock, prices and cancel fees for a site.
    pub async fn email_domains(&self, site: &str) -> Result<Vec<EmailDomain>, ProviderError> {
        let call = Call::get("/s3/domains").query("site", site);
        self.http.send(call, decoders::email_domains).await
    }
}

/// Pure decoders (also fed arbitrary JSON by the property tests).
pub(crate) mod decoders {
    use super::*;

    /// The list under `key` in `data` (tolerates `data` being the bare list).
    fn list<'a>(v: &'a Value, key: &'static str) -> Result<&'a [Value], String> {
        match v {
            Value::Array(items) => Ok(items),
            Value::Object(map) => match map.get(key) {
                Some(Value::Array(items)) => Ok(items),
                Some(other) => Err(format!("`{key}` is {}, not a list", kind(other))),
                None => Err(format!("missing `{key}`")),
            },
            other => Err(format!(
                "expected an object with `{key}`, got {}",
                kind(other)
            )),
        }
    }

    pub fn country(v: &Value) -> Result<Country, String> {
        let mut o = Obj::new(v, "country")?;
        Ok(Country {
            id: o.req_id("id")?,
            name: o.str("name"),
            extra: o.extra(),
        })
    }

    pub fn countries(v: &Value) -> Result<Vec<Country>, String> {
        each(list(v, "countries")?, "countries", country)
    }

    pub fn s1_services(v: &Value) -> Result<Vec<S1Service>, String> {
        each(list(v, "services")?, "services", |v| {
            let mut o = Obj::new(v, "service")?;
            Ok(S1Service {
                id: o.req_id("id")?,
                code: o.str("code"),
                name: o.str("name"),
                extra: o.extra(),
            })
        })
    }

    pub fn product(v: &Value) -> Result<Product, String> {
        let mut o = Obj::new(v, "product")?;
        let cur = currency(&mut o)?;
        Ok(Product {
            id: o.req_id("id")?,
            name: o.str("name"),
            price: o.money("price", cur)?,
            stock: o.int("stock"),
            extra: o.extra(),
        })
    }

    pub fn product_page(v: &Value) -> Result<ProductPage, String> {
        let products = each(list(v, "products")?, "products", product)?;
        let (pagination, extra) = match v {
            Value::Object(_) => {
                let mut o = Obj::new(v, "products page")?;
                o.raw("products");
                let pagination = o
                    .raw("pagination")
                    .and_then(|p| Obj::new(p, "pagination").ok())
                    .map(|mut p| Pagination {
                        page: p.int("page"),
                        limit: p.int("limit"),
                        total: p.int("total"),
                    });
                (pagination, o.extra())
            }
            _ => (None, Extra::new()),
        };
        Ok(ProductPage {
            products,
            pagination,
            extra,
        })
    }

    pub fn s2_services(v: &Value) -> Result<Vec<S2Service>, String> {
        each(list(v, "services")?, "services", |v| {
            let mut o = Obj::new(v, "service")?;
            let cur = currency(&mut o)?;
            Ok(S2Service {
                service_id: o.req_id("service_id")?,
                service_name: o.str("service_name"),
                price: o.money("price", cur)?,
                extra: o.extra(),
            })
        })
    }

    /// Operators are documented as strings; objects with a `name`/`id` are accepted too.
    pub fn operators(v: &Value) -> Result<Vec<String>, String> {
        each(list(v, "operators")?, "operators", |v| match v {
            Value::Object(_) => {
                let mut o = Obj::new(v, "operator")?;
                o.str("name")
                    .or_else(|| o.str("id"))
                    .ok_or_else(|| "operator without a name".to_string())
            }
            other => crate::lenient::scalar_text(other)
                .ok_or_else(|| format!("operator is {}", kind(other))),
        })
    }

    pub fn email_sites(v: &Value) -> Result<EmailSites, String> {
        let sites = each(list(v, "sites")?, "sites", |v| {
            let mut o = Obj::new(v, "site")?;
            Ok(EmailSite {
                site: o.req_str("site")?,
                name: o.str("name"),
                category: o.str("category"),
                extra: o.extra(),
            })
        })?;
        let (total, extra) = match v {
            Value::Object(_) => {
                let mut o = Obj::new(v, "sites")?;
                o.raw("sites");
                (o.int("total"), o.extra())
            }
            _ => (None, Extra::new()),
        };
        Ok(EmailSites {
            sites,
            total,
            extra,
        })
    }

    pub fn email_domains(v: &Value) -> Result<Vec<EmailDomain>, String> {
        each(list(v, "domains")?, "domains", |v| {
            let mut o = Obj::new(v, "domain")?;
            Ok(EmailDomain {
                name: o.req_str("name")?,
                price: o.money("price_idr", Currency::Idr)?,
                stock: o.int("stock"),
                cancel_fee: o.money("cancel_fee_idr", Currency::Idr)?,
                activation_rate: o.float("activation_rate"),
                extra: o.extra(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::decoders::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_examples() {
        let c = countries(&json!({"countries":[{"id":7,"name":"Indonesia"}]})).unwrap();
        assert_eq!(c[0].id, Id::from("7"));
        let s = s1_services(&json!({"services":[{"id":1,"code":"whatsapp","name":"WhatsApp"}]}))
            .unwrap();
        assert_eq!(s[0].code.as_deref(), Some("whatsapp"));
        let p = product_page(&json!({"products":[{"id":814090256,"name":"WhatsApp - Indonesia","price":2835,"stock":547}]})).unwrap();
        assert_eq!(p.products[0].price, Some(Money::idr(2835)));
        assert_eq!(p.products[0].stock, Some(547));
        assert_eq!(p.pagination, None);
        let s2 = s2_services(
            &json!({"services":[{"service_id":101,"service_name":"WhatsApp","price":1500}]}),
        )
        .unwrap();
        assert_eq!(s2[0].service_id.as_str(), "101");
        assert_eq!(
            operators(&json!({"operators":["random","telkomsel","indosat"]}))
                .unwrap()
                .len(),
            3
        );
        let sites = email_sites(&json!({"sites":[{"site":"openai.com","name":"OpenAI / ChatGPT","category":"ai"}],"total":30})).unwrap();
        assert_eq!(sites.total, Some(30));
        let d = email_domains(&json!({"domains":[{"name":"gmail.com","price_idr":12000,"stock":25,"cancel_fee_idr":0,"activation_rate":92.5}]})).unwrap();
        assert_eq!(d[0].price, Some(Money::idr(12000)));
        assert_eq!(d[0].cancel_fee, Some(Money::idr(0)));
        assert_eq!(d[0].activation_rate, Some(92.5));
    }

    #[test]
    fn tolerant_shapes() {
        let p = product_page(&json!({"products":[{"id":"814090256","price":"2835","hot":true}],"pagination":{"page":2,"limit":50,"total":"120"},"next":"x"})).unwrap();
        assert_eq!(p.products[0].id.as_str(), "814090256");
        assert_eq!(p.products[0].extra["hot"], json!(true));
        assert_eq!(
            p.pagination,
            Some(Pagination {
                page: Some(2),
                limit: Some(50),
                total: Some(120)
            })
        );
        assert_eq!(p.extra["next"], json!("x"));
        assert!(
            product_page(&json!({"products":[{"id":1,"price":"12.5"}]})).is_err(),
            "IDR has no fractions"
        );
        assert!(product_page(&json!({"products":[{"id":1,"price":1,"currency":"EUR"}]})).is_err());
        assert!(countries(&json!({"countries":[{"name":"no id"}]}))
            .unwrap_err()
            .contains("countries[0]"));
        assert_eq!(countries(&json!([{"id":"7"}])).unwrap().len(), 1);
        assert_eq!(
            operators(&json!({"operators":[{"name":"xl"}, 5]})).unwrap(),
            vec!["xl", "5"]
        );
    }
}
